#!/bin/sh
# Builds static dynup binaries for OpenWRT into dist/<openwrt-arch>/dynup.
#   cross/build.sh                 every target in cross/targets
#   cross/build.sh mips_24kc ...   only the named OpenWRT archs
# The router builds have every feature but Mozilla's built-in roots (58 KB on
# mips_24kc): the OpenWRT packages depend on ca-bundle, whose
# /etc/ssl/certs/ca-certificates.crt dynup reads. DYNUP_CROSS_CARGO_ARGS replaces
# those cargo arguments (empty: the default features, roots included), and
# DYNUP_CROSS_DIST the output directory (default dist).
# Needs what cross/setup.sh installs: Debian's rustc-web (build-std), zig, cargo-zigbuild.
set -eu
cd "$(dirname "$0")/.."
. cross/env.sh

dist=${DYNUP_CROSS_DIST:-dist}
cargo_args=${DYNUP_CROSS_CARGO_ARGS-"--no-default-features --features api-providers"}
wanted="$*"
found=""

while read -r arch triple qemu abi cflags flags; do
  case "$arch" in ''|'#'*) continue ;; esac
  if [ -n "$wanted" ]; then
    case " $wanted " in *" $arch "*) ;; *) continue ;; esac
  fi
  found="$found $arch"
  [ "$flags" = "-" ] && flags=""
  [ "$cflags" = "-" ] && cflags=""
  cflags="$CROSS_CFLAGS $(echo "$cflags" | tr ',' ' ')"
  echo "cross/build.sh: $arch ($triple)"
  # shellcheck disable=SC2086  # cargo_args is a word list on purpose
  RUSTFLAGS="$CROSS_RUSTFLAGS $flags" TARGET_CFLAGS="$cflags" cargo zigbuild --locked --release \
    --target "$triple" $CROSS_BUILD_STD $cargo_args
  mkdir -p "$dist/$arch"
  # Sections nothing reads at run time, which the linker's --strip-all keeps: MIPS
  # procedure descriptors (.pdr, 127,680 bytes on mips_24kc) and the tool comment.
  llvm-objcopy --remove-section=.pdr --remove-section=.comment \
    "$CARGO_TARGET_DIR/$triple/release/dynup" "$dist/$arch/dynup.tmp"
  mv "$dist/$arch/dynup.tmp" "$dist/$arch/dynup"
done < cross/targets

for arch in $wanted; do
  case " $found " in *" $arch "*) ;; *)
    echo "cross/build.sh: unknown OpenWRT arch '$arch' (see cross/targets)" >&2; exit 2 ;;
  esac
done
