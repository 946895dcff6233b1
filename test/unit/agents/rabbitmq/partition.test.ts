import {partitionVerdict, viewFromApiNodes, viewFromClusterStatus} from '../../../../agents/rabbitmq/partition';

const view = (self: string, members: string[], running: string[], partitionedWith: string[] = []) => ({self, members, running, partitionedWith});

describe('partitionVerdict', () => {
  test('no partition: healthy, whatever runs', () => {
    expect(partitionVerdict(view('a', ['a', 'b', 'c'], ['a']))).toEqual({kind: 'healthy'});
  });

  test('three members: the side with two keeps running, the single node fails', () => {
    expect(partitionVerdict(view('a', ['a', 'b', 'c'], ['a', 'b'], ['c'])).kind).toBe('majority');
    expect(partitionVerdict(view('c', ['a', 'b', 'c'], ['c'], ['a', 'b'])).kind).toBe('minority');
  });

  test('two members split one each: exactly one side (without the first name) fails', () => {
    const a = partitionVerdict(view('a@h1', ['a@h1', 'b@h2'], ['a@h1'], ['b@h2']));
    const b = partitionVerdict(view('b@h2', ['a@h1', 'b@h2'], ['b@h2'], ['a@h1']));
    expect([a.kind, b.kind]).toEqual(['majority', 'minority']);
    expect(b).toMatchObject({detail: expect.stringContaining('tie')});
  });

  test('running nodes outside the member list do not count; self always does', () => {
    expect(partitionVerdict(view('c', ['a', 'b', 'c'], ['x', 'y'], ['a'])).kind).toBe('minority');
  });
});

describe('cluster views', () => {
  test('from rabbitmqctl cluster_status --formatter json', () => {
    const text = JSON.stringify({
      disk_nodes: ['hct1@localhost', 'hct2@localhost'],
      ram_nodes: [],
      running_nodes: ['hct1@localhost'],
      partitions: {'hct1@localhost': ['hct2@localhost']},
    });
    expect(viewFromClusterStatus('hct1@localhost', text)).toEqual({
      self: 'hct1@localhost',
      members: ['hct1@localhost', 'hct2@localhost'],
      running: ['hct1@localhost'],
      partitionedWith: ['hct2@localhost'],
    });
    expect(viewFromClusterStatus('hct1@localhost', '{"partitions":{}}').partitionedWith).toEqual([]);
  });

  test('from the management API /api/nodes', () => {
    const text = JSON.stringify([
      {name: 'hct1@localhost', running: true, partitions: ['hct2@localhost']},
      {name: 'hct2@localhost', running: false, partitions: []},
    ]);
    expect(viewFromApiNodes('hct1@localhost', text)).toEqual({
      self: 'hct1@localhost',
      members: ['hct1@localhost', 'hct2@localhost'],
      running: ['hct1@localhost'],
      partitionedWith: ['hct2@localhost'],
    });
  });
});
