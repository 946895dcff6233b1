import {XMLParser} from 'fast-xml-parser';
import {renderMetadata} from '../../../../lib/ocf/metadata';
import {testAgent} from '../../../fixtures/test-agent';

const xml = renderMetadata(testAgent as never);
const doc = new XMLParser({ignoreAttributes: false, attributeNamePrefix: '@'}).parse(xml);
const agent = doc['resource-agent'];

describe('renderMetadata', () => {
  test('starts with the prolog and the DOCTYPE ocf-tester validates against', () => {
    expect(xml.startsWith('<?xml version="1.0"?>\n<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">\n')).toBe(true);
  });

  test('escapes markup in descriptions and attributes', () => {
    expect(xml).toContain('Test &lt;agent&gt; &amp; &quot;friends&quot;');
    expect(xml).toContain('An agent for tests: &lt;b&gt;not&lt;/b&gt; real &amp; never installed.');
    expect(agent.shortdesc['#text']).toBe('Test <agent> & "friends"');
  });

  test('keeps the element order the DTD requires', () => {
    const order = [...xml.matchAll(/^ {2}<(\w+)/gm)].map((m) => m[1]);
    expect(order).toEqual(['version', 'longdesc', 'shortdesc', 'parameters', 'actions']);
    expect(agent.version).toBe(1.1);
    expect(agent['@version']).toBe('1.0');
  });

  test('maps parameter types to string/integer/boolean with defaults', () => {
    const params = Object.fromEntries(agent.parameters.parameter.map((p: {'@name': string}) => [p['@name'], p]));
    expect(params.name).toMatchObject({'@unique': '1', '@required': '1', content: {'@type': 'string'}});
    expect(params.count.content).toEqual({'@type': 'integer', '@default': '3'});
    expect(params.flag.content).toEqual({'@type': 'boolean', '@default': 'false'});
    expect(params.mode.content).toEqual({'@type': 'string', '@default': 'a'});
    expect(params.mode.longdesc['#text']).toContain('Allowed values: a, b.');
    expect(params.count.longdesc['#text']).toContain('Range: 0 to 10.');
  });

  test('writes a default of "true" as an attribute value, never as a bare attribute', () => {
    const withTrue = {
      ...testAgent,
      parameters: {
        armed: {type: 'boolean', default: true, shortdesc: 'Armed', longdesc: 'Armed.'},
        policy: {type: 'enum', values: ['true', 'safe'], default: 'true', shortdesc: 'Policy', longdesc: 'Policy.'},
      },
    };
    const text = renderMetadata(withTrue as never);
    expect(text).toContain('<content type="boolean" default="true"/>');
    expect(text).toContain('<content type="string" default="true"/>');
  });

  test('never shows the default of a secret parameter', () => {
    expect(xml).not.toContain('hidden-default');
  });

  test('lists every action row with s-suffixed times, depths and roles', () => {
    const rows = agent.actions.action.map((a: Record<string, string>) =>
      Object.fromEntries(Object.entries(a).map(([k, v]) => [k.slice(1), v])),
    );
    expect(rows).toEqual([
      {name: 'start', timeout: '20s'},
      {name: 'stop', timeout: '20s'},
      {name: 'promote', timeout: '30s'},
      {name: 'demote', timeout: '30s'},
      {name: 'notify', timeout: '5s'},
      {name: 'monitor', timeout: '20s', interval: '10s', depth: '0'},
      {name: 'monitor', timeout: '30s', interval: '60s', depth: '10'},
      {name: 'monitor', timeout: '40s', interval: '600s', depth: '20', role: 'Promoted'},
      {name: 'validate-all', timeout: '20s'},
      {name: 'meta-data', timeout: '5s'},
    ]);
  });
});
