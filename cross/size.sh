#!/bin/sh
# Prints the size table of the router builds in dist/ (made by cross/build.sh):
# bytes of the stripped binary, and of it under `xz -9e`, roughly what it costs
# in a squashfs flash image. A missing build is shown as such.
set -eu
cd "$(dirname "$0")/.."

dist=${DYNUP_CROSS_DIST:-dist}
with_roots=target/cross/builtin-roots/mips_24kc/dynup

row() { # label file
  if [ -f "$2" ]; then
    printf '| %s | %s | %s |\n' "$1" "$(wc -c < "$2" | tr -d ' ')" "$(xz -9e -c "$2" | wc -c | tr -d ' ')"
  else
    printf '| %s | not built | |\n' "$1"
  fi
}

echo "| OpenWRT arch | stripped bytes | xz -9e bytes |"
echo "|---|---:|---:|"
while read -r arch triple rest; do
  case "$arch" in ''|'#'*) continue ;; esac
  row "$arch" "$dist/$arch/dynup"
done < cross/targets
row "mips_24kc with builtin-roots (not packaged)" "$with_roots"
