// Text of the files a test cluster node needs: corosync.conf, /etc/hosts and
// the seed CIB. Pure functions, so the multi-node harness can reuse them.

/** One corosync member. */
export interface MemberSpec {
  name: string;
  nodeId: number;
  /** ring0 address (127.0.0.1 for the single-node cluster). */
  addr: string;
}

// corosync.conf: knet without crypto, votequorum (two_node for two members),
// logging to /var/log/corosync/corosync.log (a per-node bind mount).
export function corosyncConf({clusterName, members, tokenMs = 1000}:
  {clusterName: string; members: readonly MemberSpec[]; tokenMs?: number}): string {
  if (members.length === 0) throw new TypeError('corosyncConf: no members');
  const nodes = members.map((m) => `  node {
    name: ${m.name}
    nodeid: ${m.nodeId}
    ring0_addr: ${m.addr}
  }`).join('\n');
  return `# written by test/cluster/node-config.ts
totem {
  version: 2
  cluster_name: ${clusterName}
  transport: knet
  crypto_cipher: none
  crypto_hash: none
  token: ${tokenMs}
}
nodelist {
${nodes}
}
quorum {
  provider: corosync_votequorum
${members.length === 2 ? '  two_node: 1\n' : ''}}
logging {
  to_logfile: yes
  logfile: /var/log/corosync/corosync.log
  to_syslog: no
  to_stderr: no
  timestamp: hires
}
`;
}

// /etc/hosts of a node: localhost plus every member (crmsh resolves node names).
export function hostsFile(members: readonly MemberSpec[]): string {
  return ['127.0.0.1 localhost', '::1 localhost ip6-localhost ip6-loopback',
    ...members.map((m) => `${m.addr} ${m.name}`), ''].join('\n');
}

// Cluster properties every test cluster gets (overridable): no fencing in the
// single-node harness, a short dc-deadtime (20 s by default dominates start-up)
// and a short recheck interval so failure-timeout expiry is seen in tests.
export const TEST_PROPERTIES: Readonly<Record<string, string>> = {
  'stonith-enabled': 'false',
  'dc-deadtime': '2s',
  'cluster-recheck-interval': '1min',
};

// A CIB with the properties already set, written to cib.xml before Pacemaker
// starts so they apply from the first election. `emptyCib` is `cibadmin --empty`.
export function seedCib(emptyCib: string, properties: Readonly<Record<string, string>>): string {
  const nvpairs = Object.entries(properties).map(([name, value]) =>
    `        <nvpair id="cib-bootstrap-options-${xmlAttr(name)}" name="${xmlAttr(name)}" value="${xmlAttr(value)}"/>`);
  const crmConfig = `<crm_config>
      <cluster_property_set id="cib-bootstrap-options">
${nvpairs.join('\n')}
      </cluster_property_set>
    </crm_config>`;
  if (!/<crm_config\/>/.test(emptyCib)) throw new Error(`unexpected empty CIB: ${emptyCib}`);
  return emptyCib.replace(/<crm_config\/>/, crmConfig);
}

function xmlAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
