#!/bin/sh
# Installs the system tools the tests need on a fresh Debian machine of this kind,
# and says what it installs. Idempotent: a package already there is not reinstalled.
# Run by `make test` before the tests; a tool the tests need must be listed here,
# never skipped by the test when it is missing.
set -eu

# One line per package, with why the tests need it.
packages="
bind9            # named: the real DNS server of the RFC 2136 and dyndns-server tests
bind9-dnsutils   # dig and nsupdate: read zones back, sign reference updates
bind9-utils      # tsig-keygen: keys in the form users have them
python3          # runs the PyPI dyndns 2.0.0 server of the dyndns-server end-to-end test
python3-venv     # the venv under target/peers that tests/peers.sh installs it into
faketime         # a router clock an hour off: BIND's real BADTIME answer to dynup
iproute2         # ip: network namespaces, veth pairs and addresses (tests/interface.rs)
qemu-user-static # runs the MIPS and ARM router builds (tests/cross.rs)
binutils         # readelf: float ABI and static linking of them (tests/cross.rs)
busybox          # busybox sh, OpenWRT's ash: runs the openwrt/ scripts (tests/openwrt.rs)
shellcheck       # shellcheck -s sh on every openwrt/ shell file (tests/openwrt.rs)
"

missing=""
for pkg in $(printf '%s\n' "$packages" | sed 's/#.*//'); do
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
