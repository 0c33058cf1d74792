#!/bin/sh
# Installs the system tools the tests need on a fresh Debian machine of this kind,
# and says what it installs. Idempotent: a package already there is not reinstalled.
# Run by `make test` before the tests; a tool the tests need must be listed here,
# never skipped by the test when it is missing.
set -eu

# One line per package, with why the tests need it.
#   qemu-user-static  runs the MIPS and ARM router builds (tests/cross.rs)
#   binutils          readelf: float ABI and static linking of them (tests/cross.rs)
packages="
qemu-user-static
binutils
"

missing=""
for pkg in $packages; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
    missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  echo "tests/deps.sh: installing:$missing"
  if [ "$(id -u)" -ne 0 ]; then
    echo "tests/deps.sh: need root to install:$missing" >&2
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi
