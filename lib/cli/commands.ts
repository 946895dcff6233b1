// The commands of `hacloud`, one line each: yargs' help and hacloud(8) both
// read this table, so the two never disagree.
export interface CommandInfo {
  // yargs' command string.
  usage: string;
  summary: string;
  // A paragraph for the man page.
  details: string;
}

export const COMMANDS = {
  agents: {
    usage: 'agents',
    summary: 'List the agents this binary serves (one a line)',
    details: 'Each is linked as /usr/lib/ocf/resource.d/hacloud/<agent> and configured as ocf:hacloud:<agent>; its manual is ocf_hacloud_<agent>(7).',
  },
  metaData: {
    usage: 'meta-data <agent>',
    summary: "Print an agent's OCF meta-data",
    details: 'The XML Pacemaker, crm ra info and pcs resource describe read.',
  },
  run: {
    usage: 'run <agent> <action>',
    summary: 'Run one action of an agent by hand, as Pacemaker would (for debugging)',
    details:
      'Parameters are given as -p name=value (they become OCF_RESKEY_name); --interval 0 makes a monitor a probe; --timeout sets the deadline; --check-level sets OCF_CHECK_LEVEL. The exit code is the agent\'s OCF code.',
  },
  config: {
    usage: 'config [file]',
    summary: 'Print the cluster configuration of a controller pair (crmsh, or pcs with --pcs)',
    details:
      'Reads a short description of the pair (YAML or JSON: nodes, vip, drbd, services; or the same as flags) and prints a complete configuration: cluster properties, fencing placeholders to fill in, the DRBD promotable clone, filesystem, VIP, MariaDB, RabbitMQ, the chosen OpenStack services, constraints and timeouts. Load it with crm configure load update FILE, or run the pcs script.',
  },
  doctor: {
    usage: 'doctor',
    summary: 'Check this node before going live: one PASS/WARN/FAIL line per check, exit 1 on a fail',
    details:
      'Read-only. Checks: distro units of managed services disabled and their daemons not running outside Pacemaker; the programs and files each configured agent needs; the DRBD resource with fencing resource-and-stonith and the hacloud split-brain and fence handlers; corosync votequorum with two_node: 1 for two nodes and no wait_for_all: 0; stonith enabled with a device in the CIB; the Erlang cookie (owner, mode, and equal to --peer-cookie FILE); Keystone\'s Fernet keys on the replicated filesystem or equal to --peer-fernet DIR; a time daemon running. The agents checked come from --config FILE (the hacloud config description), else the CIB, else the defaults; --cib FILE reads a saved CIB instead of cibadmin --query; --root DIR reads every system path below DIR. Warnings do not fail the run; secrets are compared by hash, never printed.',
  },
  drbdSplitBrain: {
    usage: 'drbd-split-brain',
    summary: "DRBD's split-brain handler: records the event for the drbd agent (set in drbd.conf handlers)",
    details: 'Set it as split-brain and initial-split-brain handler in drbd.conf; it only records the event, the drbd agent resolves it on the way to promotion.',
  },
  backup: {
    usage: 'backup',
    summary: 'Backup sets of the backup agent: list, run, verify, restore',
    details: 'hacloud backup list|run|verify|restore --backup-dir DIR ...: the sets the backup agent takes (full, and differentials against the latest full), taken by hand, verified against their manifests, or restored (a full, or a full and one differential) into an empty data directory.',
  },
  completion: {
    usage: 'completion',
    summary: 'Print a bash completion script for hacloud',
    details: 'Install it with: hacloud completion > /etc/bash_completion.d/hacloud (the Debian package ships it).',
  },
  version: {usage: 'version', summary: 'Print the version', details: 'The package version and the git revision it was built from.'},
} as const satisfies Record<string, CommandInfo>;
