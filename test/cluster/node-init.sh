#!/bin/bash
# PID 1 of one test cluster node (test/cluster/node.ts starts it as
#   nsenter --net=/run/netns/NS -- unshare --mount --uts --pid --fork --mount-proc node-init.sh ROOT NODE
# ). Gives the node private /run, /dev/shm, /sys, hostname and state directories
# (bind mounts of ROOT/... prepared by the harness), starts corosync and
# pacemakerd, reaps orphans, and on SIGTERM stops pacemakerd, then corosync.
# Nothing here propagates to the host: the mount namespace is made private first.
set -euo pipefail
ROOT=$1
NODE=$2
# Log to a file we open ourselves: if our stdout were a pipe to the harness, a
# write after the harness died would kill us (and corosync/pacemakerd) with SIGPIPE.
exec >>"$ROOT/init.log" 2>&1
log() { echo "$(date '+%F %T.%N') node-init[$NODE]: $*"; }

P='' C=''
stop_node() {
  trap '' TERM INT
  log "SIGTERM: stopping pacemakerd${P:+ ($P)}"
  if [ -n "$P" ]; then kill -TERM "$P" 2>/dev/null || true; wait "$P" || true; fi
  log "stopping corosync${C:+ ($C)}"
  if [ -n "$C" ]; then kill -TERM "$C" 2>/dev/null || true; wait "$C" || true; fi
  log "stopped"
  exit 0
}
trap stop_node TERM INT

# `mount -n` everywhere: no /run/mount/utab, which would be written to the
# host's /run before the node's own /run is mounted.
mount -n --make-rprivate /
hostname "$NODE"
# Drop this mount namespace's copies of the host's netns pins (they would keep
# other namespaces alive) before /run is covered.
umount -n -R -l /run/netns 2>/dev/null || true
mount -n -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/crm /run/lock /run/resource-agents
chown hacluster:haclient /run/crm
chmod 0750 /run/crm
# Directories the test asked to see copy-on-write (one per line): the node may
# add files there (/etc/hacloud, /dev/drbd0) that the host never sees.
if [ -f "$ROOT/overlays" ]; then
  while read -r dir; do
    [ -d "$dir" ] || { log "no $dir on this machine; not overlaid"; continue; }
    upper="$ROOT/overlay$dir"
    mkdir -p "$upper/upper" "$upper/work"
    mount -n -t overlay overlay -o "lowerdir=$dir,upperdir=$upper/upper,workdir=$upper/work" "$dir"
    # An overlay shows none of the mounts below the directory: a private pty instance for /dev.
    if [ "$dir" = /dev ]; then mount -n -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts; fi
  done <"$ROOT/overlays"
fi
mount -n -t tmpfs -o mode=1777 tmpfs /dev/shm
# The node's own sysfs: /sys/class/net shows this network namespace.
mount -n -t sysfs sysfs /sys

mkdir -p "$ROOT"/var/lib/pacemaker/{cib,pengine,blackbox,cores} "$ROOT"/var/log/pacemaker \
  "$ROOT"/var/lib/corosync "$ROOT"/var/log/corosync "$ROOT"/var/log/crmsh "$ROOT"/tmp
chown -R hacluster:haclient "$ROOT"/var/lib/pacemaker "$ROOT"/var/log/pacemaker "$ROOT"/var/log/crmsh
chmod 0750 "$ROOT"/var/lib/pacemaker/{cib,pengine,blackbox,cores}
chmod 0770 "$ROOT"/var/log/pacemaker "$ROOT"/var/log/crmsh
chmod 1777 "$ROOT"/tmp
for p in etc/hosts etc/corosync var/lib/corosync var/log/corosync var/lib/pacemaker \
         var/log/pacemaker var/log/crmsh; do
  # Never create anything on the host: skip mount points it does not have.
  [ -e "/$p" ] || { log "no /$p on this machine; not mounted"; continue; }
  mount -n --bind "$ROOT/$p" "/$p"
done
# Extra binds the test asked for (source<TAB>target per line), targets that exist only.
if [ -f "$ROOT/binds" ]; then
  while IFS=$'\t' read -r source target; do
    [ -n "$source" ] || continue
    [ -e "$target" ] || { log "no $target on this machine; $source not mounted"; continue; }
    mount -n --bind "$source" "$target"
  done <"$ROOT/binds"
fi
mount -n --bind "$ROOT/tmp" /tmp   # last: hides ROOT if it lives under /tmp
ip link set lo up

# The harness holds the write end of our stdin: EOF means it died (e.g. jest
# was killed), so stop the node instead of leaving it running.
# (A background job's stdin would be /dev/null, so pass it on as fd 3.)
exec 3<&0
( while read -r _ <&3; do :; done; log "harness gone (stdin closed)"; kill -TERM 1 ) &
exec 3<&- 0</dev/null

export PCMK_logfile=/var/log/pacemaker/pacemaker.log
export HA_LOGFILE=/var/log/pacemaker/pacemaker.log
set +e

log "starting corosync"
corosync -f </dev/null &
C=$!
for _ in $(seq 100); do   # up to 20 s for corosync's IPC
  corosync-cmapctl -g totem.cluster_name >/dev/null 2>&1 && break
  kill -0 "$C" 2>/dev/null || { log "corosync exited early"; break; }
  sleep 0.2
done
log "starting pacemakerd"
pacemakerd -f </dev/null &
P=$!

# Act as init: wake up every second so trapped signals are handled, and reap
# orphans (bash reaps any exited child).
reported=''
while :; do
  sleep 1 & wait $!
  if [ -z "$reported" ] && ! kill -0 "$P" 2>/dev/null; then
    log "pacemakerd exited"; reported=1
  fi
done
