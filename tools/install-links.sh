#!/bin/sh
# make install's drop-in links: DIR/dynv6.sh and DIR/dyndns-update-script.sh
# pointing to dynup. A name that is already a link to dynup is renewed; any
# other file there (the real dynv6.sh, kept beside dynup) is left as it is,
# with a line saying so, and the exit status is 1 so that make says so too.
set -u
dir=${1:?usage: install-links.sh DIR}
status=0
for name in dynv6.sh dyndns-update-script.sh; do
	path=$dir/$name
	if [ -L "$path" ]; then
		case "$(readlink "$path")" in
		dynup | */dynup) ;;
		*)
			echo "install: $path is a link to $(readlink "$path"), not to dynup: left as it is" >&2
			status=1
			continue
			;;
		esac
	elif [ -e "$path" ]; then
		echo "install: $path exists and is not a link to dynup: left as it is (move it away and run make install again for the drop-in)" >&2
		status=1
		continue
	fi
	ln -sf dynup "$path" || status=1
done
exit $status
