#!/bin/sh
# Installs the Debian packages the build and the tests need, only those missing.
set -eu
packages="pacemaker pacemaker-cli-utils corosync crmsh resource-agents libxml2-utils
iproute2 iputils-arping tcpdump procps util-linux psmisc strace iputils-ping"
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
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq $missing
