import {checkErlangCookie} from '../../../../lib/doctor/erlang-cookie';
import {cibOf, contextOf, FakeNode} from './fake-node';

const COOKIE = 'SECRETCOOKIEVALUE42';
const PATH = '/var/lib/rabbitmq/.erlang.cookie';

describe('erlang cookie check', () => {
  let node: FakeNode;
  beforeEach(() => {
    node = new FakeNode();
    node.file('/etc/passwd', 'root:x:0:0:root:/root:/bin/bash\nrabbitmq:x:0:0::/var/lib/rabbitmq:/bin/sh\n');
  });
  afterEach(() => node.remove());
  const cib = () => cibOf({rabbitmq: {}});

  test('passes for a 0400 cookie equal to the peer copy, never printing it', async () => {
    node.file(PATH, `${COOKIE}\n`, 0o400);
    const peer = node.file('/peer/cookie', COOKIE, 0o644);
    const r = checkErlangCookie(await contextOf(node, cib(), {peerCookie: peer}));
    expect(r).toMatchObject({status: 'pass', detail: expect.stringContaining('identical')});
    expect(r.detail).not.toContain(COOKIE);
  });
  test('fails when the peer copy differs, never printing either', async () => {
    node.file(PATH, COOKIE, 0o600);
    const peer = node.file('/peer/cookie', 'OTHERCOOKIE', 0o600);
    const r = checkErlangCookie(await contextOf(node, cib(), {peerCookie: peer}));
    expect(r).toMatchObject({status: 'fail', detail: expect.stringContaining('differs')});
    expect(r.detail).not.toMatch(/SECRETCOOKIE|OTHERCOOKIE/);
  });
  test('fails when others may read it', async () => {
    node.file(PATH, COOKIE, 0o644);
    expect(checkErlangCookie(await contextOf(node, cib()))).toMatchObject({status: 'fail', detail: expect.stringMatching(/^cookie file \/var\/lib\/rabbitmq\/.erlang.cookie has mode 0644/)});
  });
  test('fails when missing; the cookie_file from the CIB is the one checked', async () => {
    node.file(PATH, COOKIE, 0o400);
    expect(checkErlangCookie(await contextOf(node, cibOf({rabbitmq: {cookie_file: '/etc/hacloud/rabbitmq.cookie'}})))).toMatchObject({
      status: 'fail', detail: expect.stringContaining('/etc/hacloud/rabbitmq.cookie: does not exist'),
    });
  });
  test('skips without rabbitmq', async () => {
    expect(checkErlangCookie(await contextOf(node, cibOf({mysql: {}}))).status).toBe('skip');
  });
});
