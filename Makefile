# The entry points a person types. Each installs or checks what it needs.
#   make build   release binary for this machine (target/release/dynup)
#   make cross   static router binaries for OpenWRT (dist/<arch>/dynup) and their sizes
#   make size    the size table of dist/ again
#   make ipk     OpenWRT packages dist/dynup_<version>_<arch>.ipk of the router binaries
#   make apk     OpenWRT 25.12 packages dist/apk/<arch>/dynup-<version>-r<release>.apk (apk v3)
#   make test    format check, clippy, unit and integration tests, the router builds under qemu
#   make bench   dynup against dynv6.sh, inadyn, ddclient and curl; writes bench/RESULTS.md (root)
CARGO ?= cargo
PREFIX ?= /usr/local
# Where `make install` puts the systemd units (dynup.service, dynup-once.timer).
SYSTEMDUNITDIR ?= /etc/systemd/system

.PHONY: all build cross size ipk apk test test-deps lint check-toolchain install install-units clean bench

all: build

check-toolchain:
	@command -v $(CARGO) >/dev/null 2>&1 || { \
	  echo "make: cargo not found; install Rust (rustup or Debian's cargo) first" >&2; exit 1; }
	@$(CARGO) fmt --version >/dev/null 2>&1 || { \
	  echo "make: rustfmt missing: rustup component add rustfmt" >&2; exit 1; }
	@$(CARGO) clippy --version >/dev/null 2>&1 || { \
	  echo "make: clippy missing: rustup component add clippy" >&2; exit 1; }

build:
	$(CARGO) build --release --locked
	@ls -l target/release/dynup | awk '{print "target/release/dynup: " $$5 " bytes"}'

# The router builds: cross/setup.sh installs what is missing (Debian's Rust with
# std's sources, zig, qemu), cross/build.sh builds every target of cross/targets,
# then mips_24kc once more without built-in roots, for the size table.
cross:
	sh cross/setup.sh
	sh cross/build.sh
	DYNUP_CROSS_DIST=target/cross/no-builtin-roots \
	  DYNUP_CROSS_CARGO_ARGS="--no-default-features --features api-providers" \
	  sh cross/build.sh mips_24kc
	@sh cross/size.sh

size:
	@sh cross/size.sh

# One .ipk per arch of cross/targets (openwrt/README.md). The router builds are
# made only when one is missing: after changing the sources, run `make cross`.
ipk:
	@for arch in $$(awk '!/^#/ && NF { print $$1 }' cross/targets); do \
	  [ -f dist/$$arch/dynup ] || { $(MAKE) cross && break; }; \
	done
	sh openwrt/ipk.sh

# One .apk per arch of cross/targets for OpenWRT 25.12 and later (apk-tools v3,
# openwrt/README.md), built as `make ipk` is. PKG_RELEASE=2 make apk: another release.
apk:
	@for arch in $$(awk '!/^#/ && NF { print $$1 }' cross/targets); do \
	  [ -f dist/$$arch/dynup ] || { $(MAKE) cross && break; }; \
	done
	sh openwrt/apk.sh

lint: check-toolchain
	$(CARGO) fmt --check
	$(CARGO) clippy --locked --all-targets -- -D warnings

# System tools the tests need (BIND, iproute2, ...), installed when missing;
# then the real peers (PyPI dyndns 2.0.0 in target/peers/venv).
test-deps:
	sh tests/deps.sh
	sh tests/peers.sh >/dev/null

# Lint first: a red format or clippy check fails the run before the long part.
# The router builds come once, after the host tests; every qemu test and the
# package checks (.ipk and .apk) reuse them.
test: lint test-deps
	$(CARGO) test --locked --all-targets
	$(CARGO) test --locked --no-default-features --features api-providers --bin dynup
	$(MAKE) cross
	$(MAKE) ipk
	$(MAKE) apk
	$(CARGO) test --locked --test cross -- --ignored

# Installs its peers and tools (bench/deps.sh), builds dynup for the host and, when a
# router build is missing, runs make cross (it times dist/x86_64/dynup); runs in a namespace
# of its own. BENCH_RUNS / BENCH_WARMUP change the number of runs (30 / 3).
bench:
	sh bench/run.sh

# dynv6.sh and dyndns-update-script.sh: drop-in names for the scripts dynup
# replaces (README, "Migrating"), never over a file that is not such a link; the
# systemd units for /etc/dynup.conf (systemd/), with the binary's path filled in.
install: build
	install -D -m 0755 target/release/dynup $(DESTDIR)$(PREFIX)/bin/dynup
	sh tools/install-links.sh $(DESTDIR)$(PREFIX)/bin
	$(MAKE) install-units

# The systemd units alone (tests/systemd.rs checks them with systemd-analyze).
install-units:
	@for unit in dynup.service dynup-once.service dynup-once.timer; do \
	  mkdir -p $(DESTDIR)$(SYSTEMDUNITDIR) && \
	  sed 's|@BINDIR@|$(PREFIX)/bin|g' systemd/$$unit > $(DESTDIR)$(SYSTEMDUNITDIR)/$$unit && \
	  chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$unit && \
	  echo "installed $(DESTDIR)$(SYSTEMDUNITDIR)/$$unit"; \
	done

clean:
	$(CARGO) clean
