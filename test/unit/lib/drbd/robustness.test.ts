import {readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {deriveStatus} from '../../../../lib/drbd/derive';
import {parseEvents2} from '../../../../lib/drbd/events2';
import {parseGi} from '../../../../lib/drbd/gi';
import {promotionScore, DEFAULT_SCORE_TABLE, parseScoreTable} from '../../../../lib/drbd/score';
import {parseSplitBrainPolicy} from '../../../../lib/drbd/split-brain';
import {parseStatusJson} from '../../../../lib/drbd/status-json';
import {compareVersions, parseDrbdadmVersion} from '../../../../lib/drbd/version';

// A monitor must not crash on an unexpected line: every parser takes
// mangled real output (seeded, reproducible) without throwing.

const DIR = join(__dirname, '../../../fixtures/drbd');
const inputs = readdirSync(DIR).map((name) => readFileSync(join(DIR, name), 'utf8'));

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

function mangle(text: string, rand: () => number): string {
  const chars = [...text];
  const edits = 1 + Math.floor(rand() * 8);
  for (let i = 0; i < edits && chars.length > 0; i++) {
    const at = Math.floor(rand() * chars.length);
    const kind = Math.floor(rand() * 4);
    if (kind === 0) chars.splice(at, 1);
    else if (kind === 1) chars.splice(at, 0, String.fromCharCode(Math.floor(rand() * 128)));
    else if (kind === 2) chars.splice(at, Math.floor(rand() * 40));
    else chars.splice(at, 0, ...':- \n{}[]"'.charAt(Math.floor(rand() * 10)));
  }
  return chars.join('');
}

test('parsers never throw on 3000 mangled fixtures', () => {
  const rand = random(42);
  for (let i = 0; i < 3000; i++) {
    const text = mangle(inputs[i % inputs.length] as string, rand);
    const state = parseEvents2(text, i % 2 ? 'r0' : 'mysql');
    const status = deriveStatus(state);
    promotionScore(status, DEFAULT_SCORE_TABLE);
    for (const resource of parseStatusJson(text)) promotionScore(deriveStatus(resource), DEFAULT_SCORE_TABLE);
    for (const line of text.split('\n')) parseGi(line);
    parseDrbdadmVersion(text);
    compareVersions(text, '9.0.0');
    parseScoreTable(text);
    parseSplitBrainPolicy(text);
  }
});

test('parsers never throw on non-string input that slips through untyped code', () => {
  for (const value of [undefined, null, 42, {}]) {
    const text = value as unknown as string;
    expect(parseEvents2(text, 'r0').exists).toBe(false);
    expect(parseStatusJson(text)).toEqual([]);
    expect(parseGi(text)).toBeUndefined();
    expect(parseDrbdadmVersion(text)).toEqual({});
    expect(parseScoreTable(text)).toBeUndefined();
    expect(parseSplitBrainPolicy(text)).toBeUndefined();
    expect([-1, 0, 1]).toContain(compareVersions(text, '1'));
  }
});
