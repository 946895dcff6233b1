#!/bin/sh
# Installs the Debian packages the build and the tests need, only those missing.
# Package services stay stopped: only our agents start MariaDB (policy-rc.d
# refuses every invoke-rc.d start while we install).
set -eu
packages="pacemaker pacemaker-cli-utils corosync crmsh resource-agents libxml2-utils
iproute2 iputils-arping tcpdump procps util-linux psmisc strace iputils-ping
e2fsprogs kmod mariadb-server mariadb-client mariadb-backup pcs rabbitmq-server
keystone glance-api placement-api heat-engine heat-api cinder-api nova-api
fence-agents dpkg-dev binutils lintian man-db"
missing=""
for p in $packages; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing="$missing $p"
done
if [ -z "$missing" ]; then
  echo "Debian packages: all present"
  exit 0
fi
echo "Debian packages to install:$missing"
export DEBIAN_FRONTEND=noninteractive
policy=/usr/sbin/policy-rc.d
ours=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 0755 "$policy"
  ours=1
fi
cleanup() { [ -z "$ours" ] || rm -f "$policy"; }
trap cleanup EXIT
apt-get -o DPkg::Lock::Timeout=600 update -qq
# shellcheck disable=SC2086
apt-get -o DPkg::Lock::Timeout=600 install -y -qq $missing
