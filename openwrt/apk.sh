#!/bin/sh
# Packs the router binaries dist/<arch>/dynup into packages for OpenWRT 25.12 and
# later, dist/apk/<arch>/dynup-<version>-r<release>.apk (and the noarch
# dynup-ddns-<version>-r<release>.apk beside it), in apk-tools v3's ADB
# format, without the SDK: this script does what include/package-pack.mk does
# before `apk mkpkg` (the /lib/apk/packages files, the scripts, the --info
# fields from openwrt/Makefile), openwrt/mkapk.py what `apk mkpkg` does. The
# payload is the .ipk's (openwrt/stage.sh). Every file is owned by root;
# reproducible: SOURCE_DATE_EPOCH (default: the last commit's time) is every
# file's mtime. PKG_RELEASE (default: openwrt/Makefile's) sets the -r<release>.
#   sh openwrt/apk.sh [ARCH...]     default: every arch of cross/targets
# DYNUP_DIST: where <arch>/dynup are read (default dist); DYNUP_APK_DIR: where the
# <arch>/ directories go (default: DYNUP_DIST/apk). Needs python3.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
dist="${DYNUP_DIST:-$top/dist}"
out="${DYNUP_APK_DIR:-$dist/apk}"
makefile="$top/openwrt/Makefile"

# One `NAME:=value` of openwrt/Makefile.
field() {
  sed -n "s/^[[:space:]]*$1:=//p" "$makefile" | head -n 1
}
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$top/Cargo.toml" | head -n 1)
release="${PKG_RELEASE:-$(field PKG_RELEASE)}"
name=$(field PKG_NAME)
case "$release" in
'' | *[!0-9]*)
  echo "openwrt/apk.sh: PKG_RELEASE must be a number, not '$release'" >&2
  exit 1
  ;;
esac
if [ -z "$version" ] || [ -z "$name" ]; then
  echo "openwrt/apk.sh: no version in Cargo.toml or PKG_NAME in openwrt/Makefile" >&2
  exit 1
fi
package_version="$version-r$release"
# package-pack.mk: $(strip) of Package/dynup/description, on one line.
description=$(sed -n "/^define Package\/$name\/description$/,/^endef$/p" "$makefile" |
  sed '1d;$d' | tr '\n' ' ' | tr -s ' \t' '  ' | sed 's/^ //;s/ $//')
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(git -C "$top" log -1 --format=%ct 2>/dev/null || echo 0)
fi
export SOURCE_DATE_EPOCH

if [ "$#" -eq 0 ]; then
  # shellcheck disable=SC2046 # one word per arch
  set -- $(awk '!/^#/ && NF { print $1 }' "$top/cross/targets")
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

for arch in "$@"; do
  binary="$dist/$arch/dynup"
  if [ ! -f "$binary" ]; then
    echo "openwrt/apk.sh: $binary missing: run make cross first" >&2
    exit 1
  fi
  rm -rf "$work/root" "$work/scripts"
  mkdir -p "$work/scripts"
  sh "$top/openwrt/stage.sh" "$binary" "$work/root"

  # What package-pack.mk adds: every file and link, sorted, before the list
  # and the conffiles files exist; the conffiles; and their SHA-256, which
  # sysupgrade uses to keep the ones the user changed.
  packages="$work/root/lib/apk/packages"
  mkdir -p "$packages"
  chmod 0755 "$work/root/lib" "$work/root/lib/apk" "$packages"
  (cd "$work/root" && find . \( -type f -o -type l \) | sed 's|^\.||' | LC_ALL=C sort) \
    >"$work/list"
  mv "$work/list" "$packages/$name.list"
  echo /etc/config/dynup >"$packages/$name.conffiles"
  while read -r conffile; do
    sum=$(sha256sum <"$work/root$conffile" | cut -d ' ' -f 1)
    echo "$conffile $sum" >>"$packages/$name.conffiles_static"
  done <"$packages/$name.conffiles"
  chmod 0644 "$packages/$name.list" "$packages/$name.conffiles" \
    "$packages/$name.conffiles_static"

  # post-upgrade is post-install after PKG_UPGRADE=1, as package-pack.mk makes it.
  cp "$top/openwrt/control/post-install" "$top/openwrt/control/pre-deinstall" "$work/scripts/"
  {
    echo '#!/bin/sh'
    echo 'export PKG_UPGRADE=1'
    sed '/^[[:space:]]*#!/d' "$top/openwrt/control/post-install"
  } >"$work/scripts/post-upgrade"

  mkdir -p "$out/$arch"
  apk="$out/$arch/$name-$package_version.apk"
  python3 "$top/openwrt/mkapk.py" \
    --info "name:$name" \
    --info "version:$package_version" \
    --info "description:$description" \
    --info "arch:$arch" \
    --info "license:$(field PKG_LICENSE)" \
    --info "origin:feeds/packages/net/$name" \
    --info "url:$(field URL)" \
    --info "maintainer:$(field PKG_MAINTAINER)" \
    --info "depends:ca-bundle" \
    --script "post-install:$work/scripts/post-install" \
    --script "post-upgrade:$work/scripts/post-upgrade" \
    --script "pre-deinstall:$work/scripts/pre-deinstall" \
    --files "$work/root" \
    --output "$apk.tmp"
  mv "$apk.tmp" "$apk"
  echo "$apk: $(wc -c <"$apk" | tr -d ' ') bytes"
done

# dynup-ddns: ddns-scripts' commands for LuCI's DDNS page, on dynup; shell and
# data, so noarch (as ddns-scripts), one copy in each arch's directory. It
# provides ddns-scripts at its own version (openwrt/ddns/version, above the
# real one: dependents ask for ddns-scripts>=2.8), so apk takes it in the
# place of ddns-scripts; replaces lets it own the files ddns-scripts and its
# service packages had, and an /etc/config/ddns the user changed is kept.
ddns_name=dynup-ddns
ddns_version="$(cat "$top/openwrt/ddns/version")-r$release"
rm -rf "$work/root" "$work/scripts"
mkdir -p "$work/scripts"
sh "$top/openwrt/ddns/stage.sh" "$work/root" "$release"
packages="$work/root/lib/apk/packages"
mkdir -p "$packages"
chmod 0755 "$work/root/lib" "$work/root/lib/apk" "$packages"
(cd "$work/root" && find . \( -type f -o -type l \) | sed 's|^\.||' | LC_ALL=C sort) \
  >"$work/list"
mv "$work/list" "$packages/$ddns_name.list"
echo /etc/config/ddns >"$packages/$ddns_name.conffiles"
echo "/etc/config/ddns $(sha256sum <"$work/root/etc/config/ddns" | cut -d ' ' -f 1)" \
  >"$packages/$ddns_name.conffiles_static"
chmod 0644 "$packages/$ddns_name.list" "$packages/$ddns_name.conffiles" \
  "$packages/$ddns_name.conffiles_static"
for script in post-install pre-deinstall; do
  sed "s/^export pkgname=\"$name\"\$/export pkgname=\"$ddns_name\"/" \
    "$top/openwrt/control/$script" >"$work/scripts/$script"
done
{
  echo '#!/bin/sh'
  echo 'export PKG_UPGRADE=1'
  sed '/^[[:space:]]*#!/d' "$work/scripts/post-install"
} >"$work/scripts/post-upgrade"
python3 "$top/openwrt/mkapk.py" \
  --info "name:$ddns_name" \
  --info "version:$ddns_version" \
  --info "description:ddns-scripts for LuCI's Dynamic DNS page, run by dynup: /etc/config/ddns, /etc/init.d/ddns and the page keep working" \
  --info "arch:noarch" \
  --info "license:$(field PKG_LICENSE)" \
  --info "origin:feeds/packages/net/$name" \
  --info "url:$(field URL)" \
  --info "maintainer:$(field PKG_MAINTAINER)" \
  --info "depends:$name>=$package_version" \
  --info "provides:ddns-scripts=$ddns_version ddns-scripts-services=$ddns_version" \
  --info "replaces:ddns-scripts ddns-scripts-services $(tr '\n' ' ' <"$top/openwrt/ddns/replaced")" \
  --script "post-install:$work/scripts/post-install" \
  --script "post-upgrade:$work/scripts/post-upgrade" \
  --script "pre-deinstall:$work/scripts/pre-deinstall" \
  --files "$work/root" \
  --output "$work/$ddns_name.apk"
for arch in "$@"; do
  apk="$out/$arch/$ddns_name-$ddns_version.apk"
  cp "$work/$ddns_name.apk" "$apk.tmp"
  mv "$apk.tmp" "$apk"
  echo "$apk: $(wc -c <"$apk" | tr -d ' ') bytes"
done
