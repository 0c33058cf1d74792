#!/bin/sh
# The files the dynup-ddns package installs, in the tree ROOT (which must not
# exist yet): ddns-scripts' commands and data for LuCI, on dynup, with the
# modes of the SDK's install macros. RELEASE is the package release.
#   sh openwrt/ddns/stage.sh ROOT RELEASE
# The service definitions (/usr/share/ddns/list and default/NAME.json, which
# LuCI lists) come from `$DYNUP_HOST_BIN ddns services --json-dir` when that
# variable names a dynup built for this machine that has it, else from
# openwrt/ddns/services (one name a line), as minimal definitions.
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
files="$top/openwrt/ddns/files"
root="$1"
release="$2"

mkdir -p "$root/usr/lib/ddns" "$root/usr/bin" "$root/usr/share/ddns/default" \
  "$root/etc/init.d" "$root/etc/config" "$root/etc/hotplug.d/iface"
cp "$files/usr/lib/ddns/dynamic_dns_lucihelper.sh" "$root/usr/lib/ddns/"
cp "$files/usr/bin/ddns" "$root/usr/bin/ddns"
cp "$files/etc/init.d/ddns" "$root/etc/init.d/ddns"
cp "$files/etc/config/ddns" "$root/etc/config/ddns"
cp "$files/etc/hotplug.d/iface/95-ddns" "$root/etc/hotplug.d/iface/95-ddns"
# ddns-scripts' PKG_VERSION-PKG_RELEASE form.
echo "$(cat "$top/openwrt/ddns/version")-$release" >"$root/usr/share/ddns/version"

if [ -n "${DYNUP_HOST_BIN:-}" ] &&
  "$DYNUP_HOST_BIN" ddns services --json-dir "$root/usr/share/ddns/default" >/dev/null 2>&1; then
  "$DYNUP_HOST_BIN" ddns services >"$root/usr/share/ddns/list"
else
  [ -z "${DYNUP_HOST_BIN:-}" ] ||
    echo "openwrt/ddns/stage.sh: $DYNUP_HOST_BIN has no 'ddns services --json-dir';" \
      "the definitions come from openwrt/ddns/services" >&2
  rm -rf "$root/usr/share/ddns/default"
  mkdir -p "$root/usr/share/ddns/default"
  cp "$top/openwrt/ddns/services" "$root/usr/share/ddns/list"
  # LuCI lists the file names and offers IPv6 where there is an ipv6 object;
  # dynup says at start when a service cannot do the section's family.
  while read -r name; do
    printf '{\n\t"name": "%s",\n\t"ipv4": { "url": "dynup" },\n\t"ipv6": { "url": "dynup" }\n}\n' \
      "$name" >"$root/usr/share/ddns/default/$name.json"
  done <"$top/openwrt/ddns/services"
fi

find "$root" -type d -exec chmod 0755 {} +
find "$root" -type f -exec chmod 0644 {} +
chmod 0755 "$root/usr/lib/ddns/dynamic_dns_lucihelper.sh" "$root/usr/bin/ddns" \
  "$root/etc/init.d/ddns"
chmod 0600 "$root/etc/config/ddns"
