# The entry points a person types. Each installs or checks what it needs.
#   make build   release binary for this machine (target/release/dynup)
#   make test    format check, clippy, unit and integration tests
CARGO ?= cargo
PREFIX ?= /usr/local

.PHONY: all build test test-deps lint check-toolchain install clean

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

lint: check-toolchain
	$(CARGO) fmt --check
	$(CARGO) clippy --locked --all-targets -- -D warnings

# System tools the tests need (BIND, iproute2, ...), installed when missing;
# then the real peers (PyPI dyndns 2.0.0 in target/peers/venv).
test-deps:
	sh tests/deps.sh
	sh tests/peers.sh >/dev/null

# Lint first: a red format or clippy check fails the run before the long part.
test: lint test-deps
	$(CARGO) test --locked --all-targets
	$(CARGO) test --locked --no-default-features --bin dynup

install: build
	install -D -m 0755 target/release/dynup $(DESTDIR)$(PREFIX)/bin/dynup

clean:
	$(CARGO) clean
