#!/bin/sh
# The benchmark's stand-in for dynv6's official dynv6.sh, written from its documented
# behaviour (see bench/README.md), not copied:
#   token=TOKEN [netmask=LEN] dynv6.sh HOSTNAME [DEVICE]
# Publishes the first global IPv6 address of DEVICE (addresses starting with fd are
# skipped) as ADDRESS/LEN (LEN defaults to 128), then asks the IPv4 endpoint to take
# the request's own address (ipv4=auto): two requests with curl -fsS (or wget).
# $HOME/.dynv6.addr6 remembers the last address; when it is unchanged nothing is sent.
# For the bench the endpoints can be moved: DYNV6_URL (default https://dynv6.com)
# and DYNV6_IPV4_URL (default https://ipv4.dynv6.com). curl takes a private CA
# from CURL_CA_BUNDLE.
set -e

hostname=$1
device=$2
file=$HOME/.dynv6.addr6
url=${DYNV6_URL:-https://dynv6.com}
ipv4_url=${DYNV6_IPV4_URL:-https://ipv4.dynv6.com}

if [ -z "$hostname" ] || [ -z "$token" ]; then
  echo "Usage: token=<your-authentication-token> [netmask=64] $0 your-name.dynv6.net [device]" >&2
  exit 1
fi
netmask=${netmask:-128}

if [ -n "$device" ]; then
  address=$(ip -6 addr list scope global dev "$device" | grep -v ' fd' | sed -n 's/.*inet6 \([0-9a-f:]*\).*/\1/p' | head -n 1)
else
  address=$(ip -6 addr list scope global | grep -v ' fd' | sed -n 's/.*inet6 \([0-9a-f:]*\).*/\1/p' | head -n 1)
fi
if [ -z "$address" ]; then
  echo "no IPv6 address found" >&2
  exit 1
fi
current=$address/$netmask

old=""
if [ -e "$file" ]; then
  old=$(cat "$file")
fi
if [ "$old" = "$current" ]; then
  echo "IPv6 address unchanged"
  exit 0
fi

if command -v curl >/dev/null 2>&1; then
  get() { curl -fsS "$1"; }
else
  get() { wget -O- "$1"; }
fi

get "$url/api/update?hostname=$hostname&ipv6=$current&token=$token"
get "$ipv4_url/api/update?hostname=$hostname&ipv4=auto&token=$token"
echo "$current" > "$file"
