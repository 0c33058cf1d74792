#!/bin/sh
# Packs the router binaries dist/<arch>/dynup into installable OpenWRT packages
# dist/dynup_<version>_<arch>.ipk, and openwrt/ddns/ into
# dist/dynup-ddns_<version>_all.ipk, without the SDK, the way its ipkg-build does:
# a gzip'd GNU tar of ./debian-binary, ./data.tar.gz and ./control.tar.gz (opkg
# reads no ar archive), every file owned by 0:0, Installed-Size the byte size of
# the uncompressed data tar. Byte for byte reproducible: SOURCE_DATE_EPOCH (default:
# the last commit's time) stamps every entry, gzip -n leaves out names and times.
#   sh openwrt/ipk.sh [ARCH...]     default: every arch of cross/targets
# DYNUP_DIST: where <arch>/dynup are read (default dist); DYNUP_IPK_DIR: where the
# packages go (default: DYNUP_DIST). Needs GNU tar and gzip.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
dist="${DYNUP_DIST:-$top/dist}"
out="${DYNUP_IPK_DIR:-$dist}"

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$top/Cargo.toml" | head -n 1)
release=$(sed -n 's/^PKG_RELEASE:=//p' "$top/openwrt/Makefile")
# The licence, maintainer and URL fields: the SDK's values, from its Makefile.
license=$(sed -n 's/^PKG_LICENSE:=//p' "$top/openwrt/Makefile")
license_files=$(sed -n 's/^PKG_LICENSE_FILES:=//p' "$top/openwrt/Makefile")
maintainer=$(sed -n 's/^PKG_MAINTAINER:=//p' "$top/openwrt/Makefile")
url=$(sed -n 's/^ *URL:=//p' "$top/openwrt/Makefile")
if [ -z "$version" ] || [ -z "$release" ] || [ -z "$license" ] ||
  [ -z "$license_files" ] || [ -z "$maintainer" ] || [ -z "$url" ]; then
  echo "openwrt/ipk.sh: no version in Cargo.toml, or no PKG_RELEASE, PKG_LICENSE," \
    "PKG_LICENSE_FILES, PKG_MAINTAINER or URL in openwrt/Makefile" >&2
  exit 1
fi
package_version="$version-r$release"
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(git -C "$top" log -1 --format=%ct 2>/dev/null || echo 0)
fi

if [ "$#" -eq 0 ]; then
  # shellcheck disable=SC2046 # one word per arch
  set -- $(awk '!/^#/ && NF { print $1 }' "$top/cross/targets")
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# GNU tar as ipkg-build runs it; --owner/--group stand in for its fakeroot.
pack() {
  tar --format=gnu --numeric-owner --owner=0 --group=0 --sort=name \
    --mtime="@$SOURCE_DATE_EPOCH" "$@"
}

mkdir -p "$out"
for arch in "$@"; do
  binary="$dist/$arch/dynup"
  if [ ! -f "$binary" ]; then
    echo "openwrt/ipk.sh: $binary missing: run make cross first" >&2
    exit 1
  fi
  rm -rf "$work/root" "$work/control" "$work/ipk"
  mkdir -p "$work/control" "$work/ipk"
  sh "$top/openwrt/stage.sh" "$binary" "$work/root"

  (cd "$work/root" && pack -cf "$work/data.tar" .)
  installed_size=$(wc -c <"$work/data.tar" | tr -d ' ')
  gzip -n -9 <"$work/data.tar" >"$work/ipk/data.tar.gz"

  # Field order as the OpenWRT build system writes it. Depends: ca-bundle alone,
  # the roots dynup trusts (the router build has none built in); the binary is
  # static, the scripts need only busybox, procd and base-files. Like the SDK's packages, this one names its
  # licence files (in the source) rather than carrying them onto the router's flash.
  cat >"$work/control/control" <<CONTROL
Package: dynup
Version: $package_version
Depends: ca-bundle
SourceName: dynup
License: $license
LicenseFiles: $license_files
Section: net
SourceDateEpoch: $SOURCE_DATE_EPOCH
URL: $url
Maintainer: $maintainer
Architecture: $arch
Installed-Size: $installed_size
Description: Dynamic-DNS update client (dynv6, No-IP, dyndns2, DNS UPDATE, ...)
 One small static binary instead of shell scripts and curl: jobs in
 /etc/config/dynup run as soon as their addresses change (dynup --watch).
CONTROL
  echo /etc/config/dynup >"$work/control/conffiles"
  cp "$top/openwrt/control/postinst" "$top/openwrt/control/prerm" "$work/control/"
  chmod 0644 "$work/control/control" "$work/control/conffiles"
  chmod 0755 "$work/control" "$work/control/postinst" "$work/control/prerm"
  (cd "$work/control" && pack -cf - .) | gzip -n -9 >"$work/ipk/control.tar.gz"

  printf '2.0\n' >"$work/ipk/debian-binary"
  chmod 0644 "$work/ipk/debian-binary" "$work/ipk/data.tar.gz" "$work/ipk/control.tar.gz"
  ipk="$out/dynup_${package_version}_$arch.ipk"
  (cd "$work/ipk" && pack -cf - ./debian-binary ./data.tar.gz ./control.tar.gz) |
    gzip -n -9 >"$ipk.tmp"
  mv "$ipk.tmp" "$ipk"
  echo "$ipk: $(wc -c <"$ipk" | tr -d ' ') bytes, installs $installed_size bytes"
done

# dynup-ddns: ddns-scripts' commands for LuCI's DDNS page, on dynup. Shell and
# data only, so one package for every arch (Architecture: all, as
# ddns-scripts). Its version is the ddns-scripts version it stands in for
# (openwrt/ddns/version, above the real one), as opkg checks a dependent's
# `ddns-scripts (>=2.8)` against the providing package's own version. Replaces
# with Conflicts: opkg removes ddns-scripts and its service packages when this
# one is installed; their /etc/config/ddns, a conffile, is kept when changed.
ddns_version="$(cat "$top/openwrt/ddns/version")-r$release"
ddns_replaced="ddns-scripts, ddns-scripts-services$(sed 's/^/, /' "$top/openwrt/ddns/replaced" | tr -d '\n')"
rm -rf "$work/root" "$work/control" "$work/ipk"
mkdir -p "$work/control" "$work/ipk"
sh "$top/openwrt/ddns/stage.sh" "$work/root" "$release"
(cd "$work/root" && pack -cf "$work/data.tar" .)
installed_size=$(wc -c <"$work/data.tar" | tr -d ' ')
gzip -n -9 <"$work/data.tar" >"$work/ipk/data.tar.gz"
cat >"$work/control/control" <<CONTROL
Package: dynup-ddns
Version: $ddns_version
Depends: dynup (>= $package_version)
Provides: ddns-scripts, ddns-scripts-services, ddns-scripts_service
Replaces: $ddns_replaced
Conflicts: $ddns_replaced
SourceName: dynup
License: $license
LicenseFiles: $license_files
Section: net
SourceDateEpoch: $SOURCE_DATE_EPOCH
URL: $url
Maintainer: $maintainer
Architecture: all
Installed-Size: $installed_size
Description: ddns-scripts for LuCI's Dynamic DNS page, run by dynup
 Takes the place of ddns-scripts and its service packages: /etc/config/ddns,
 /etc/init.d/ddns and LuCI's Dynamic DNS page keep working, dynup does the
 checks and updates (no curl, wget or bind-host needed).
CONTROL
echo /etc/config/ddns >"$work/control/conffiles"
# The build system's scripts, plus what opkg misses when it swaps ddns-scripts out.
cp "$top/openwrt/ddns/postinst" "$top/openwrt/ddns/prerm" "$work/control/"
chmod 0644 "$work/control/control" "$work/control/conffiles"
chmod 0755 "$work/control" "$work/control/postinst" "$work/control/prerm"
(cd "$work/control" && pack -cf - .) | gzip -n -9 >"$work/ipk/control.tar.gz"
printf '2.0\n' >"$work/ipk/debian-binary"
chmod 0644 "$work/ipk/debian-binary" "$work/ipk/data.tar.gz" "$work/ipk/control.tar.gz"
ipk="$out/dynup-ddns_${ddns_version}_all.ipk"
(cd "$work/ipk" && pack -cf - ./debian-binary ./data.tar.gz ./control.tar.gz) |
  gzip -n -9 >"$ipk.tmp"
mv "$ipk.tmp" "$ipk"
echo "$ipk: $(wc -c <"$ipk" | tr -d ' ') bytes, installs $installed_size bytes"
