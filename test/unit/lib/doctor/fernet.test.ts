import {checkFernetKeys, fernetKeyRepository} from '../../../../lib/doctor/fernet';
import {cibOf, contextOf, FakeNode} from './fake-node';

describe('fernet keys check', () => {
  let node: FakeNode;
  beforeEach(() => {
    node = new FakeNode();
  });
  afterEach(() => node.remove());
  const keys = (dir: string, values: string[]) => values.forEach((v, i) => node.file(`${dir}/${i}`, v, 0o600));

  test('reads key_repository from [fernet_tokens] only', () => {
    expect(fernetKeyRepository('[DEFAULT]\nkey_repository = /wrong\n[fernet_tokens]\n# key_repository = /old\nkey_repository = /srv/ha/fernet\n')).toBe('/srv/ha/fernet');
    expect(fernetKeyRepository('[token]\nprovider = fernet\n')).toBe('/etc/keystone/fernet-keys');
  });
  test('passes when the repository is on the replicated filesystem', async () => {
    node.file('/etc/keystone/keystone.conf', '[fernet_tokens]\nkey_repository = /var/lib/mysql/fernet-keys\n');
    keys('/var/lib/mysql/fernet-keys', ['a', 'b']);
    const r = checkFernetKeys(await contextOf(node, cibOf({keystone: {}, fs: {directory: '/var/lib/mysql'}})));
    expect(r).toMatchObject({status: 'pass', detail: expect.stringContaining('replicated')});
  });
  test('passes when identical to the peer copy; fails when one key differs (never printed)', async () => {
    keys('/etc/keystone/fernet-keys', ['KEYZERO', 'KEYONE']);
    node.file('/peer/0', 'KEYZERO');
    node.file('/peer/1', 'KEYONE');
    const cib = cibOf({keystone: {}, fs: {directory: '/var/lib/mysql'}});
    expect(checkFernetKeys(await contextOf(node, cib, {peerFernet: `${node.root}/peer`})).status).toBe('pass');
    node.file('/peer/1', 'KEYOTHER');
    const r = checkFernetKeys(await contextOf(node, cib, {peerFernet: `${node.root}/peer`}));
    expect(r).toMatchObject({status: 'fail', detail: expect.stringContaining('keys 1 of /etc/keystone/fernet-keys differ')});
    expect(r.detail).not.toMatch(/KEY(ZERO|ONE|OTHER)/);
  });
  test('warns when neither replicated nor compared', async () => {
    keys('/etc/keystone/fernet-keys', ['k']);
    expect(checkFernetKeys(await contextOf(node, cibOf({keystone: {}}))).status).toBe('warn');
  });
  test('fails when the repository is missing or empty', async () => {
    const cib = cibOf({keystone: {}});
    expect(checkFernetKeys(await contextOf(node, cib))).toMatchObject({status: 'fail', detail: expect.stringContaining('missing')});
    node.file('/etc/keystone/fernet-keys/README', '');
    expect(checkFernetKeys(await contextOf(node, cib))).toMatchObject({status: 'fail', detail: expect.stringContaining('no keys')});
  });
});
