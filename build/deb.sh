#!/bin/sh
# Builds the Debian package hacloud from a tree staged by `make install
# DESTDIR=STAGE` (binary, agent links, /usr/sbin/hacloud), with dpkg-deb:
# adds the man pages (dist/man, from `make man`), the bash completion, the
# examples, copyright, changelog and lintian overrides, then DEBIAN/control
# (shared-library dependencies from dpkg-shlibdeps) and md5sums.
#   build/deb.sh STAGE VERSION OUTPUT.deb
set -eu
stage=$(cd "$1" && pwd)
version=$2
deb=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
top=$(cd "$(dirname "$0")/.." && pwd)
arch=$(dpkg --print-architecture)
doc="$stage/usr/share/doc/hacloud"
umask 022

# Debian policy 10.5: links inside one top-level directory are relative.
find "$stage" -type l | while read -r link; do
  target=$(readlink "$link")
  case $target in
    /*) ln -sfn "$(realpath -s -m --relative-to="$(dirname "$link")" "$stage$target")" "$link" ;;
  esac
done

install -d "$stage/usr/share/man/man7" "$stage/usr/share/man/man8" "$doc/examples" \
  "$stage/usr/share/lintian/overrides" "$stage/usr/share/bash-completion/completions"
for page in "$top"/dist/man/*.7; do
  gzip -9n -c "$page" >"$stage/usr/share/man/man7/$(basename "$page").gz"
done
gzip -9n -c "$top/dist/man/hacloud.8" >"$stage/usr/share/man/man8/hacloud.8.gz"
install -m 0644 "$top"/packaging/examples/* "$doc/examples/"
install -m 0644 "$top/packaging/deb/copyright" "$doc/copyright"
install -m 0644 "$top/packaging/deb/lintian-overrides" "$stage/usr/share/lintian/overrides/hacloud"
"$stage/usr/lib/hacloud/hacloud" completion >"$stage/usr/share/bash-completion/completions/hacloud"

# A native package's changelog: one entry for this version, dated like the commit.
revision=$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)
when=$(git -C "$top" log -1 --format=%cD 2>/dev/null || date -R)
gzip -9n -c >"$doc/changelog.gz" <<CHANGELOG
hacloud ($version) unstable; urgency=medium

  * Built from the hacloud source tree, revision $revision.

 -- hacloud developers <hacloud@example.org>  $when
CHANGELOG

find "$stage" -type d -exec chmod 0755 {} +
find "$stage" -type f ! -path "$stage/usr/lib/hacloud/hacloud" -exec chmod 0644 {} +

# Shared libraries of the node binary (libc6, libstdc++6, libgcc-s1).
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/debian"
printf 'Source: hacloud\n\nPackage: hacloud\nArchitecture: any\n' >"$scratch/debian/control"
shlibs=$(cd "$scratch" && dpkg-shlibdeps -O "$stage/usr/lib/hacloud/hacloud" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { echo "deb.sh: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

rm -rf "$stage/DEBIAN"
install -d "$stage/DEBIAN"
size=$(du -sk --apparent-size "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" -e "s/@SHLIBS@/$shlibs/" \
  "$top/packaging/deb/control" >"$stage/DEBIAN/control"
(cd "$stage" && find . -type f ! -path './DEBIAN/*' -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' md5sum) >"$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"

dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb ($(du -h "$deb" | cut -f1))"
