#!/bin/sh
# `make bench`: dynup against dynv6.sh, inadyn, ddclient and one curl GET, on the same
# updates to a loopback mock provider, in a network namespace of its own; writes
# bench/RESULTS.md. Installs what it needs (bench/deps.sh) and builds dynup (host
# release build; `make cross` when a router build is missing).
#   BENCH_RUNS (default 30) timed runs per tool and scenario, BENCH_WARMUP (default 3)
#   BENCH_OUT  (default bench/RESULTS.md)
#   BENCH_RT=0 runs without real-time scheduling (see below)
# Every run must do what the scenario says (exit code, requests the mock received);
# a missing tool or a failed measurement fails the bench, never an empty cell.
set -eu
cd "$(dirname "$0")/.."

runs=${BENCH_RUNS:-30}
warmup=${BENCH_WARMUP:-3}
out=${BENCH_OUT:-bench/RESULTS.md}
say() { echo "bench/run.sh: $*"; }

if [ "$(id -u)" -ne 0 ]; then
  say "needs root: it creates a network namespace" >&2
  exit 1
fi
sh bench/deps.sh
cargo build --release --locked
# The size table wants every router build, and the timed static build is x86_64's:
# whatever is missing is built with `make cross` (existing builds are used as they
# are; run `make cross` first after changing the source).
missing=""
for arch in $(awk '!/^#/ && NF { print $1 }' cross/targets); do
  [ -x "dist/$arch/dynup" ] || missing="$missing $arch"
done
[ -x target/cross/builtin-roots/mips_24kc/dynup ] || missing="$missing mips_24kc-with-roots"
if [ -n "$missing" ]; then
  say "router builds missing:$missing; running make cross"
  "${MAKE:-make}" cross
fi

ns=dynup-bench-$$
work=$(mktemp -d /tmp/dynup-bench.XXXXXX)
mock_pid=""
cleanup() {
  if [ -n "$mock_pid" ]; then
    kill "$mock_pid" 2>/dev/null || true
    wait "$mock_pid" 2>/dev/null || true
  fi
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "/etc/netns/$ns" "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# A throwaway CA shaped like Let's Encrypt's ECDSA chain (see bench/README.md): a
# P-384 root, a P-384 intermediate and a P-256 server key, signatures with SHA-384;
# the mock sends the server certificate with the intermediate, clients trust the root.
ec_key() { # curve key-file
  openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$1" -out "$2" 2>/dev/null
}
ec_key P-384 "$work/ca.key"
openssl req -x509 -key "$work/ca.key" -sha384 -days 2 -subj /CN=dynup-bench-root -out "$work/ca.pem"
ec_key P-384 "$work/int.key"
openssl req -new -key "$work/int.key" -subj /CN=dynup-bench-intermediate -out "$work/int.csr"
printf '%s\n' 'basicConstraints=critical,CA:TRUE,pathlen:0' 'keyUsage=critical,keyCertSign,cRLSign' \
  'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid' > "$work/int.cnf"
openssl x509 -req -in "$work/int.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
  -sha384 -days 2 -extfile "$work/int.cnf" -out "$work/int.pem" 2>/dev/null
ec_key P-256 "$work/srv.key"
openssl req -new -key "$work/srv.key" -subj /CN=127.0.0.1 -out "$work/srv.csr"
printf '%s\n' 'subjectAltName=IP:127.0.0.1,IP:::1' 'basicConstraints=CA:FALSE' \
  'keyUsage=critical,digitalSignature' 'extendedKeyUsage=serverAuth' \
  'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid' > "$work/srv.cnf"
openssl x509 -req -in "$work/srv.csr" -CA "$work/int.pem" -CAkey "$work/int.key" -CAcreateserial \
  -sha384 -days 2 -extfile "$work/srv.cnf" -out "$work/srv.pem" 2>/dev/null
cat "$work/srv.pem" "$work/int.pem" > "$work/chain.pem"
openssl verify -CAfile "$work/ca.pem" -untrusted "$work/int.pem" "$work/srv.pem" >/dev/null

# The namespace: loopback for the mock, and bench0 with a public-looking IPv4 and a
# global IPv6 (documentation ranges) for the tools that read an interface. A veth
# pair, because containers of this kind have no dummy module; both ends stay inside.
# Name lookups in the namespace go to its own loopback (nothing answers there):
# `ip netns exec` mounts /etc/netns/NAME/resolv.conf over /etc/resolv.conf. inadyn
# looks its host names up at start; they must fail at once, and inside.
mkdir -p "/etc/netns/$ns"
echo 'nameserver 127.0.0.1' > "/etc/netns/$ns/resolv.conf"
ip netns add "$ns"
in_ns() { ip netns exec "$ns" "$@"; }
in_ns ip link set lo up
in_ns ip link add bench0 type veth peer name bench1
in_ns ip link set bench0 up
in_ns ip link set bench1 up
in_ns ip addr add 198.51.100.7/24 dev bench0
in_ns ip -6 addr add 2001:db8::7/64 dev bench0 nodad

# The mock, the driver and every tool they start run under SCHED_FIFO (chrt) when the
# kernel allows it: other work on the machine then cannot make a run wait for a CPU,
# which on a busy machine adds whole time slices (4 ms) to runs of a millisecond. It
# applies to every tool alike; the report says whether it was on.
rt=""
sched="normal (SCHED_OTHER)"
if [ "${BENCH_RT:-1}" = 1 ]; then
  if chrt -f 10 true 2>/dev/null; then
    rt="chrt -f 10"
    sched="SCHED_FIFO priority 10 (chrt -f 10), for the mock, the driver and every tool"
  else
    say "no real-time scheduling here (chrt -f failed): runs under the normal scheduler"
  fi
fi

# Started directly (not through in_ns) so that $! is the mock itself: ip execs python.
# shellcheck disable=SC2086  # $rt is empty or a command prefix
$rt ip netns exec "$ns" python3 bench/mock.py --ports-file "$work/ports" --log "$work/requests.log" \
  --cert "$work/chain.pem" --key "$work/srv.key" &
mock_pid=$!
tries=0
while [ ! -s "$work/ports" ]; do
  tries=$((tries + 1))
  if [ "$tries" -gt 100 ] || ! kill -0 "$mock_pid" 2>/dev/null; then
    say "the mock did not start" >&2
    exit 1
  fi
  sleep 0.1
done

say "measuring: $runs runs after $warmup warmup runs per tool and scenario"
# shellcheck disable=SC2086
$rt ip netns exec "$ns" python3 bench/bench.py --sched "$sched" --work "$work" --ports "$work/ports" --log "$work/requests.log" \
  --ca "$work/ca.pem" --dynup target/release/dynup --dynup-static dist/x86_64/dynup \
  --dynv6-sh "$PWD/bench/dynv6.sh" --runs "$runs" --warmup "$warmup" --out "$work/raw.json"
# Watch mode idle, address change to request, and 10 jobs of a config against 1.
say "watch mode and config files (bench/watch.py)"
https_port=$(awk '$1 == "https" { print $2 }' "$work/ports")
ip netns exec "$ns" python3 bench/watch.py --dynup "$PWD/target/release/dynup" \
  --server "https://127.0.0.1:$https_port" --ca "$work/ca.pem" --token-file "$work/token" \
  --log "$work/requests.log" --iface bench0 --work "$work" --runs "$runs" > "$work/watch.md"
sh cross/size.sh > "$work/size.md"
# Kept for re-rendering RESULTS.md: bench/report.py --raw ... --size ... --out ...
mkdir -p target
cp "$work/raw.json" target/bench-raw.json
cp "$work/size.md" target/bench-size.md
python3 bench/report.py --raw "$work/raw.json" --size "$work/size.md" --out "$out.tmp"
cp "$work/watch.md" target/bench-watch.md
{ echo; cat "$work/watch.md"; } >> "$out.tmp"
mv "$out.tmp" "$out"
say "wrote $out"
