# Sourced by cross/*.sh: the toolchain and the size settings every cross build uses.
# Each setting's measured effect on mips_24kc is in cross/README.md.

# Pinned tools that cross/setup.sh installs into a venv under target/.
CROSS_TOOLS="$PWD/target/cross-tools"
ZIGLANG_VERSION=0.17.0
CARGO_ZIGBUILD_VERSION=0.24.0

# Debian's cargo/rustc (with rust-src for build-std) ahead of rustup's, zig next.
PATH="$CROSS_TOOLS/venv/bin:/usr/bin:$PATH"
# build-std and the -Z flags are unstable: allowed on Debian's stable rustc this way.
RUSTC_BOOTSTRAP=1
# Cross outputs apart from the host's target/ so the two never rebuild each other.
CARGO_TARGET_DIR="${DYNUP_CROSS_TARGET_DIR:-$PWD/target/cross}"
export PATH RUSTC_BOOTSTRAP CARGO_TARGET_DIR
unset RUSTUP_TOOLCHAIN CARGO RUSTC RUSTDOC 2>/dev/null || true

# Size settings (with the release profile's opt-level z, LTO, one codegen unit):
#   -Cpanic=immediate-abort  a panic aborts at once, no message machinery
#   -Cforce-unwind-tables=no nothing unwinds, so no .eh_frame for Rust code
#   -Zfmt-debug=shallow      Debug prints type and variant names only; not `none`,
#                            which blanks the HTTP version in ureq's request line
#   -Zlocation-detail=none   no file/line/column strings for panics; 0 bytes once
#                            panics abort at once, kept so that no build of ours
#                            ever carries source paths (and xz -112 bytes)
#   optimize_for_size        std's smaller algorithms
CROSS_RUSTFLAGS="-Cforce-unwind-tables=no -Zlocation-detail=none -Zfmt-debug=shallow -Zunstable-options -Cpanic=immediate-abort"
# For C code (ring's, through the cc crate): no unwind tables either.
CROSS_CFLAGS="-fno-unwind-tables -fno-asynchronous-unwind-tables"
CROSS_BUILD_STD="-Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size"
