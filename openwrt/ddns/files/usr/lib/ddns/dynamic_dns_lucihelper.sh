#!/bin/sh
# dynup-ddns: the helper LuCI's Dynamic DNS page runs, with ddns-scripts'
# command line (options, then `--` and an action), on top of dynup:
#   get_registered_ip  `dynup registered-ip`; the address is printed without a
#                      newline and, with -S, written to RUNDIR/SECTION.ip (LuCI
#                      reads that file); exit 0 found, 127 none, else dynup's code
#   verify_dns         whether -d's server answers a query
#   start|stop|reload|restart   /etc/init.d/ddns (start needs -S)
# -V prints `ddns-scripts VERSION` (LuCI shows the second word). Bad usage: exit
# 255, as ddns-scripts. -f, -g, -i, -n, -s, -u, -L, -v are accepted and unused:
# dynup has no glue or connection-family choice for this check.
# DYNUP_ROOT is put before every system path, for the tests.

root="${DYNUP_ROOT:-}"
version="$(cat "$root/usr/share/ddns/version" 2>/dev/null)"

usage() {
	cat >&2 <<USAGE
usage: $0 [options] -- action
  -6 IPv6 record (AAAA)   -l HOST the name to look up   -S SECTION
  -d SERVER[:PORT] DNS server   -t DNS over TCP   -p PROXY   -V version
  actions: get_registered_ip verify_dns verify_proxy start stop reload restart
USAGE
}

use_ipv6=0
dns_tcp=0
dns_server=""
lookup_host=""
proxy=""
section=""
while getopts ":6d:fghi:l:n:p:s:S:tu:Lv:V" option; do
	case "$option" in
	6) use_ipv6=1 ;;
	d) dns_server="$OPTARG" ;;
	l) lookup_host="$OPTARG" ;;
	p) proxy="$OPTARG" ;;
	S) section="$OPTARG" ;;
	t) dns_tcp=1 ;;
	f | g | i | n | s | u | L | v) ;;
	V)
		echo "ddns-scripts $version (dynup-ddns)"
		exit 255
		;;
	h)
		usage
		exit 255
		;;
	:)
		echo "$0: option -$OPTARG needs a value" >&2
		usage
		exit 255
		;;
	*)
		echo "$0: unknown option -$OPTARG" >&2
		usage
		exit 255
		;;
	esac
done
shift $((OPTIND - 1))
action="${1:-}"

# ddns-scripts' run directory: global.ddns_rundir, else /var/run/ddns.
rundir() {
	# shellcheck source=/dev/null
	. "$root/lib/functions.sh"
	config_load ddns
	config_get dir global ddns_rundir ""
	echo "${dir:-$root/var/run/ddns}"
}

# The flags of `dynup registered-ip` for -6, -d and -t.
dns_flags() {
	[ "$use_ipv6" = 1 ] && echo "-6"
	[ -n "$dns_server" ] && echo "--dns-server $dns_server"
	[ "$dns_tcp" = 1 ] && echo "--dns-tcp"
	return 0
}

registered_ip() {
	address=""
	status=127
	# LuCI passes the word _nolookup_ for a section without lookup_host.
	if [ -n "$lookup_host" ] && [ "$lookup_host" != _nolookup_ ]; then
		# shellcheck disable=SC2046 # one word per flag; no value has blanks
		address="$("$root/usr/bin/dynup" registered-ip $(dns_flags) "$lookup_host")"
		status=$?
		# dynup's 3 is "no such record": ddns-scripts says 127.
		[ "$status" = 3 ] && status=127
		[ "$status" = 0 ] || address=""
	fi
	if [ -n "$section" ]; then
		dir="$(rundir)"
		mkdir -p "$dir"
		# ddns-scripts writes an empty line when the lookup failed.
		echo "$address" >"$dir/$section.ip"
	fi
	printf "%s" "$address"
	return "$status"
}

case "$action" in
get_registered_ip)
	registered_ip
	;;
verify_dns)
	if [ -z "$dns_server" ]; then
		echo "$0: verify_dns needs -d SERVER" >&2
		exit 255
	fi
	# Any answer, even "no such name", shows the server works.
	# shellcheck disable=SC2046 # one word per flag; no value has blanks
	"$root/usr/bin/dynup" registered-ip $(dns_flags) --timeout 3 "${lookup_host:-openwrt.org}" >/dev/null
	status=$?
	[ "$status" = 3 ] && status=0
	exit "$status"
	;;
verify_proxy)
	# dynup takes [USER:PASSWORD@]HOST:PORT; it connects when it runs.
	case "$proxy" in
	*:[0-9]*) exit 0 ;;
	*)
		echo "$0: verify_proxy needs -p [USER:PASSWORD@]HOST:PORT" >&2
		exit 255
		;;
	esac
	;;
start)
	if [ -z "$section" ]; then
		echo "$0: start needs -S SECTION" >&2
		exit 255
	fi
	"$root/etc/init.d/ddns" start "$section"
	;;
stop)
	# shellcheck disable=SC2086 # no section: every one stops
	"$root/etc/init.d/ddns" stop $section
	;;
reload | restart)
	"$root/etc/init.d/ddns" "$action"
	;;
'')
	usage
	exit 255
	;;
*)
	echo "$0: unknown action '$action'" >&2
	usage
	exit 255
	;;
esac
