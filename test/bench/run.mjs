// `make bench`: every side-by-side benchmark, one after the other.
await import('./vip-monitor.mjs');
await import('./drbd-monitor.mjs');
await import('./fs-monitor.mjs');
await import('./mysql-monitor.mjs');
await import('./rabbitmq-monitor.mjs');
await import('./openstack-monitor.mjs');
