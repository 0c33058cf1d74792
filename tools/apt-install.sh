#!/bin/sh
# Installs the Debian packages among PACKAGE... that are not installed yet, and says
# which; says nothing and changes nothing when all are there. LABEL names the caller
# in its messages. Shared by tests/deps.sh, bench/deps.sh and cross/setup.sh.
#   sh tools/apt-install.sh LABEL PACKAGE...
set -eu
label="$1"
shift

missing=""
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
    missing="$missing $pkg"
done
[ -n "$missing" ] || exit 0

echo "$label: installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
  echo "$label: need root to install:$missing" >&2
  exit 1
fi
DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086  # a word list on purpose
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
