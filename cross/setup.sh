#!/bin/sh
# Installs what cross/build.sh needs on a fresh Debian 12 machine of this kind, and
# says what it installs; when everything is there it says so and changes nothing.
#   apt: rustc-web, cargo-web, rust-web-src  Debian's Rust >= 1.96 with std's sources
#                                            (build-std; rustup has no cross std here)
#        qemu-user-static                    runs the MIPS and ARM builds in the tests
#        xz-utils, binutils                  size table (xz -9e), readelf in the tests
#        python3-venv                        the venv below
#        llvm                                llvm-objcopy: drops .pdr, which strip keeps
#   pip (pinned, in target/cross-tools/venv, not the system):
#        ziglang, cargo-zigbuild             C compiler, musl and linker per target
set -eu
cd "$(dirname "$0")/.."
. cross/env.sh

say() { echo "cross/setup.sh: $*"; }

# Debian's rustc must be new enough for -Cpanic=immediate-abort and optimize_for_size.
rust_ok() {
  [ -x /usr/bin/cargo ] && [ -d /usr/lib/rustlib/src/rust/library/std ] || return 1
  minor=$(/usr/bin/rustc --version 2>/dev/null | sed -n 's/^rustc 1\.\([0-9]*\)\..*/\1/p')
  [ -n "$minor" ] && [ "$minor" -ge 96 ]
}

apt_packages="qemu-user-static xz-utils binutils python3-venv"
rust_ok || apt_packages="rustc-web cargo-web rust-web-src $apt_packages"
command -v llvm-objcopy >/dev/null 2>&1 || apt_packages="$apt_packages llvm"
# shellcheck disable=SC2086  # a word list on purpose
sh tools/apt-install.sh cross/setup.sh $apt_packages
rust_ok || { say "Debian's rustc is older than 1.96: $(/usr/bin/rustc --version)" >&2; exit 1; }

venv="$CROSS_TOOLS/venv"
pip_ok() {
  [ -x "$venv/bin/cargo-zigbuild" ] &&
    [ "$("$venv/bin/cargo-zigbuild" --version 2>/dev/null)" = "cargo-zigbuild $CARGO_ZIGBUILD_VERSION" ] &&
    [ "$("$venv/bin/python" -m ziglang version 2>/dev/null)" = "$ZIGLANG_VERSION" ]
}
if ! pip_ok; then
  say "installing into $venv: ziglang==$ZIGLANG_VERSION cargo-zigbuild==$CARGO_ZIGBUILD_VERSION"
  [ -x "$venv/bin/pip" ] || /usr/bin/python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check \
    "ziglang==$ZIGLANG_VERSION" "cargo-zigbuild==$CARGO_ZIGBUILD_VERSION"
  pip_ok || { say "ziglang/cargo-zigbuild not usable after install" >&2; exit 1; }
fi

say "ready: $(/usr/bin/rustc --version), zig $("$venv/bin/python" -m ziglang version), $("$venv/bin/cargo-zigbuild" --version)"
