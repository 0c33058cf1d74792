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
knot             # knotd and keymgr: Knot DNS and its key files (tests/dns_servers.rs)
pdns-server      # pdns_server and pdnsutil: PowerDNS (tests/dns_servers.rs)
pdns-backend-sqlite3 # PowerDNS's backend that applies updates (the bind one cannot)
sqlite3          # loads that backend's schema
python3          # runs the PyPI dyndns 2.0.0 server of the dyndns-server end-to-end test, openwrt/mkapk.py (tests/apk.rs)
python3-venv     # the venv under target/peers that tests/peers.sh installs it into
faketime         # a router clock an hour off: BIND's real BADTIME answer to dynup
iproute2         # ip: network namespaces, veth pairs and addresses (tests/interface.rs)
qemu-user-static # runs the MIPS and ARM router builds (tests/cross.rs)
binutils         # readelf: float ABI and static linking of them (tests/cross.rs)
busybox          # busybox sh, OpenWRT's ash: runs the openwrt/ scripts (tests/openwrt.rs)
shellcheck       # shellcheck -s sh on every openwrt/ shell file (tests/openwrt.rs)
systemd          # systemd-analyze verify on the units make install installs (tests/systemd.rs)
make             # make install-units (tests/systemd.rs)
"

# shellcheck disable=SC2046  # one word per package
sh "$(dirname "$0")/../tools/apt-install.sh" tests/deps.sh $(printf '%s\n' "$packages" | sed 's/#.*//')
