import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {compareVersions, parseDrbdadmVersion} from '../../../../lib/drbd/version';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../fixtures/drbd', name), 'utf8');

describe('parseDrbdadmVersion', () => {
  test('utils 9.22 with the in-tree 8.4.11 module (Debian 12)', () => {
    expect(parseDrbdadmVersion(fixture('drbdadm-version-922-84.txt'))).toEqual({utils: '9.22.0', kernel: '8.4.11', kernelMajor: 8});
  });

  test('no module loaded: DRBD_KERNEL_VERSION_CODE=0x000000', () => {
    expect(parseDrbdadmVersion(fixture('drbdadm-version-922-nomodule.txt'))).toEqual({utils: '9.22.0'});
  });

  test('a DRBD 9 module, codes only (older utils print no DRBD_KERNEL_VERSION)', () => {
    const text = 'DRBDADM_BUILDTAG=GIT-hash:\\ abc\nDRBDADM_API_VERSION=2\nDRBD_KERNEL_VERSION_CODE=0x090200\nDRBDADM_VERSION_CODE=0x091600\n';
    expect(parseDrbdadmVersion(text)).toEqual({utils: '9.22.0', kernel: '9.2.0', kernelMajor: 9});
  });

  test('8.4 utils: API 1, no DRBD_KERNEL_VERSION line', () => {
    const text = 'DRBDADM_API_VERSION=1\nDRBD_KERNEL_VERSION_CODE=0x080407\nDRBDADM_VERSION_CODE=0x080906\nDRBDADM_VERSION=8.9.6\n';
    expect(parseDrbdadmVersion(text)).toEqual({utils: '8.9.6', kernel: '8.4.7', kernelMajor: 8});
  });

  test('a /proc/drbd version line counts for the kernel', () => {
    expect(parseDrbdadmVersion('version: 8.4.11 (api:1/proto:86-101)\nsrcversion: F73C670A7EC572DB9CF3E5B \n')).toEqual({kernel: '8.4.11', kernelMajor: 8});
  });

  test('DRBD_KERNEL_VERSION wins over the code (it carries what the code cannot, e.g. a fourth part)', () => {
    const text = 'DRBD_KERNEL_VERSION_CODE=0x090116\nDRBD_KERNEL_VERSION=9.1.22\nDRBDADM_VERSION=9.28.0\n';
    expect(parseDrbdadmVersion(text)).toEqual({utils: '9.28.0', kernel: '9.1.22', kernelMajor: 9});
  });

  test.each([[''], ['drbdadm: command not found'], ['DRBD_KERNEL_VERSION_CODE=banana\nDRBDADM_VERSION=']])('never throws on %j', (text) => {
    expect(parseDrbdadmVersion(text)).toEqual({});
  });
});

describe('compareVersions', () => {
  test.each([
    ['8.4.11', '9.0.0', -1],
    ['9.0.0', '8.4.11', 1],
    ['8.4.11', '8.4.11', 0],
    ['8.4.11', '8.4.7', 1],
    ['9.2', '9.2.0', 0],
    ['10.0.0', '9.99.99', 1],
    ['8.4.11-1', '8.4.11', 0],
    ['9.2.0-rc.1', '9.2.0', 0],
    ['8.0.0', '8.4.11', -1],
    ['', '0.0.0', 0],
    ['x', '1', -1],
  ])('%s vs %s → %i', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
  });
});
