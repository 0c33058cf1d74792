#!/bin/sh
# The files a dynup package installs, in the tree ROOT (which must not exist yet):
# the one payload that openwrt/ipk.sh and openwrt/apk.sh both pack, with the modes
# of the SDK's install macros (openwrt/Makefile, Package/dynup/install).
#   sh openwrt/stage.sh BINARY ROOT
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
binary="$1"
root="$2"

mkdir -p "$root/usr/bin" "$root/usr/libexec" "$root/etc/config" \
  "$root/etc/init.d" "$root/etc/hotplug.d/iface"
cp "$binary" "$root/usr/bin/dynup"
# The names of the scripts dynup replaces: it answers to them as they did.
ln -s dynup "$root/usr/bin/dynv6.sh"
ln -s dynup "$root/usr/bin/dyndns-update-script.sh"
cp "$top/openwrt/files/usr/libexec/dynup-run" "$root/usr/libexec/dynup-run"
cp "$top/openwrt/files/etc/init.d/dynup" "$root/etc/init.d/dynup"
cp "$top/openwrt/files/etc/config/dynup" "$root/etc/config/dynup"
cp "$top/openwrt/files/etc/hotplug.d/iface/95-dynup" "$root/etc/hotplug.d/iface/95-dynup"
# The modes of the SDK's INSTALL_DIR, INSTALL_BIN, INSTALL_CONF (the config
# holds secrets: root only) and INSTALL_DATA (hotplug-call sources the script).
find "$root" -type d -exec chmod 0755 {} +
chmod 0755 "$root/usr/bin/dynup" "$root/usr/libexec/dynup-run" "$root/etc/init.d/dynup"
chmod 0600 "$root/etc/config/dynup"
chmod 0644 "$root/etc/hotplug.d/iface/95-dynup"
