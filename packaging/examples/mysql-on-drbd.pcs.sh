#!/bin/sh
# hacloud example: MariaDB on DRBD behind a virtual IP, for a controller pair,
# as pcs commands (the crmsh form is mysql-on-drbd.crm; read its notes first).
# The commands build the configuration in a file and push it at once, so the
# cluster never runs half of it:
#   sh mysql-on-drbd.pcs.sh            # against the live cluster
#   CIB=/path/to/cib.xml sh mysql-on-drbd.pcs.sh   # into a CIB file only
set -eu
live=${CIB:-}
if [ -z "$live" ]; then
  CIB=$(mktemp)
  pcs cluster cib "$CIB"
fi

pcs -f "$CIB" resource create drbd_r0 ocf:hacloud:drbd --no-default-ops \
  drbd_resource=r0 \
  op start timeout=240s interval=0s \
  op stop timeout=100s interval=0s \
  op promote timeout=90s interval=0s \
  op demote timeout=90s interval=0s \
  op notify timeout=90s interval=0s \
  op monitor role=Promoted interval=10s timeout=20s \
  op monitor role=Unpromoted interval=20s timeout=20s \
  promotable ms_drbd_r0 promoted-max=1 promoted-node-max=1 clone-max=2 clone-node-max=1 notify=true

pcs -f "$CIB" resource create fs_mysql ocf:hacloud:fs --no-default-ops \
  device=/dev/drbd0 directory=/var/lib/mysql fstype=ext4 options=noatime \
  op start timeout=60s interval=0s \
  op stop timeout=60s interval=0s \
  op monitor interval=20s timeout=40s \
  --group g_mysql

pcs -f "$CIB" resource create vip_db ocf:hacloud:vip --no-default-ops \
  ip=203.0.113.10 cidr_netmask=24 \
  op start timeout=20s interval=0s \
  op stop timeout=20s interval=0s \
  op monitor interval=10s timeout=20s \
  --group g_mysql

pcs -f "$CIB" resource create mysql ocf:hacloud:mysql --no-default-ops \
  datadir=/var/lib/mysql bind_address=203.0.113.10 credentials=/etc/hacloud/mysql-monitor.cnf \
  op start timeout=120s interval=0s \
  op stop timeout=120s interval=0s \
  op monitor interval=20s timeout=30s \
  op monitor interval=60s timeout=30s OCF_CHECK_LEVEL=10 \
  --group g_mysql

pcs -f "$CIB" resource create db_backup ocf:hacloud:backup --no-default-ops \
  backup_dir=/srv/backup/mysql credentials=/etc/hacloud/mysql-backup.cnf full_interval=24h differential_interval=1h \
  op start timeout=60s interval=0s \
  op stop timeout=120s interval=0s \
  op monitor interval=60s timeout=30s \
  op monitor interval=300s timeout=30s OCF_CHECK_LEVEL=10

pcs -f "$CIB" constraint colocation add g_mysql with Promoted ms_drbd_r0 INFINITY id=col_mysql_on_drbd_primary
pcs -f "$CIB" constraint order promote ms_drbd_r0 then start g_mysql id=ord_drbd_promote_before_mysql
pcs -f "$CIB" constraint colocation add db_backup with g_mysql INFINITY id=col_db_backup_with_mysql
pcs -f "$CIB" constraint order start g_mysql then start db_backup id=ord_mysql_before_db_backup
pcs -f "$CIB" resource defaults update resource-stickiness=200

if [ -z "$live" ]; then
  pcs cluster cib-push "$CIB" --config
  rm -f "$CIB"
fi
