#!/bin/sh
# Installs what `make bench` needs on a fresh Debian 12 machine of this kind, and says
# what it installs. Idempotent: a package already there is not reinstalled.
set -eu

# One line per package, with why the bench needs it.
packages="
inadyn                 # peer: In-a-dyn 2.10 (GnuTLS), run once with -1
ddclient               # peer: ddclient 3.10 (Perl), run once with -daemon=0
libio-socket-ssl-perl  # ddclient's HTTPS (a Recommends that --no-install-recommends skips)
curl                   # peer: the single HTTPS GET, and what dynv6.sh runs
hyperfine              # wall time: warmup, fixed runs, JSON export
time                   # GNU time: peak RSS (%M) of each run
strace                 # processes spawned, connect() calls, files a run opens
openssl                # the throwaway CA and server certificate
iproute2               # ip: the namespace, its interface and addresses (and dynv6.sh)
python3                # the mock provider and the bench driver (stdlib only)
dash                   # /bin/sh, the shell dynv6.sh runs under on OpenWRT-like systems
xz-utils               # the size table (cross/size.sh)
shellcheck             # the bench's shell files are checked with shellcheck -s sh
"

# ddclient's package starts a daemon that asks a public check-IP site by default
# (web discovery, daemon mode); the bench runs it by hand, so no daemon.
if ! dpkg-query -W -f='${Status}' ddclient 2>/dev/null | grep -q 'install ok installed' &&
  [ "$(id -u)" -eq 0 ]; then
  printf '%s\n' 'ddclient ddclient/method select Network interface' \
    'ddclient ddclient/run_mode select On PPP connect' | debconf-set-selections
fi
# shellcheck disable=SC2046  # one word per package
sh "$(dirname "$0")/../tools/apt-install.sh" bench/deps.sh $(printf '%s\n' "$packages" | sed 's/#.*//')
echo "bench/deps.sh: ready"
