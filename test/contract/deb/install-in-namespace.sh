#!/bin/bash
# Installs, inspects and purges the hacloud .deb where the host never sees it:
# run as
#   unshare --mount install-in-namespace.sh DEB WORKDIR
# /usr, /etc, /var/lib, /var/cache and /var/log become copy-on-write overlays
# whose upper layers live in WORKDIR (which must not be below them: /var/tmp
# or /tmp). While it runs, the host's dpkg locks are held, so no host apt or
# dpkg changes the database under the snapshot (they wait, as for any other
# apt run). Prints one section per step: "=== STEP rc=N" then its output.
set -uo pipefail
DEB=$1
WORK=$2
[ -f "$DEB" ] && [ -d "$WORK" ] || { echo "usage: $0 DEB WORKDIR" >&2; exit 2; }

# Hold the host's dpkg locks (fcntl locks, as apt and dpkg take them) until we exit.
coproc LOCK { timeout 900 /usr/bin/python3 -c '
import fcntl, sys
files = [open(p, "a") for p in ("/var/lib/dpkg/lock-frontend", "/var/lib/dpkg/lock")]
for f in files:
    fcntl.lockf(f, fcntl.LOCK_EX)
print("locked", flush=True)
sys.stdin.read()'; }
read -r locked <&"${LOCK[0]}"
[ "$locked" = locked ] || { echo "could not lock the host's dpkg database" >&2; exit 1; }

# `mount -n` everywhere: no /run/mount/utab on the host.
mount -n --make-rprivate /
for dir in /usr /etc /var/lib /var/cache /var/log; do
  mkdir -p "$WORK/overlay$dir/upper" "$WORK/overlay$dir/work"
  mount -n -t overlay overlay -o "lowerdir=$dir,upperdir=$WORK/overlay$dir/upper,workdir=$WORK/overlay$dir/work" "$dir" || exit 1
done
mount -n -t tmpfs tmpfs /run/lock 2>/dev/null || true

step() {
  local name=$1
  shift
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  echo "=== $name rc=$rc"
  [ -z "$out" ] || printf '%s\n' "$out"
}

# What `make install` put on this machine must not hide what the package does.
rm -rf /usr/lib/hacloud /usr/lib/ocf/resource.d/hacloud /usr/sbin/hacloud
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod 0755 /usr/sbin/policy-rc.d
export DEBIAN_FRONTEND=noninteractive

step install apt-get install -y --no-install-recommends "$DEB"
step status dpkg-query -W -f '${Status} ${Version}\n' hacloud
step files dpkg -L hacloud
step ra-list crm ra list ocf hacloud
agents=$(/usr/lib/hacloud/hacloud agents 2>/dev/null)
for agent in $agents; do
  step "ra-info $agent" crm ra info "ocf:hacloud:$agent"
  step "man-path $agent" man -w "ocf_hacloud_$agent"
done
step man-vip env MANPAGER=cat MANWIDTH=100 man ocf_hacloud_vip
step man-hacloud env MANPAGER=cat MANWIDTH=100 man 8 hacloud
step on-path env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin hacloud version
step completion test -s /usr/share/bash-completion/completions/hacloud
# Everything the package holds, then purge, then what of it is left.
owned=$(dpkg -L hacloud)
step purge dpkg -P hacloud
step status-after dpkg-query -W -f '${Status}\n' hacloud
left=""
for path in $owned; do
  case $path in
    /usr/lib/hacloud*|/usr/lib/ocf/resource.d/hacloud*|/usr/sbin/hacloud|/usr/share/doc/hacloud*|\
    /usr/share/man/man7/ocf_hacloud_*|/usr/share/man/man8/hacloud.8.gz|/usr/share/lintian/overrides/hacloud|\
    /usr/share/bash-completion/completions/hacloud)
      if [ -e "$path" ] || [ -L "$path" ]; then left="$left $path"; fi ;;
  esac
done
echo "=== left rc=0"
for path in $left; do echo "$path"; done
echo "=== dpkg-info rc=0"
ls /var/lib/dpkg/info/ | grep '^hacloud\.' || true
