import {createHash, randomBytes} from 'node:crypto';
import {sha1} from '../../../../lib/clients/sha1';

const reference = (data: Uint8Array) => createHash('sha1').update(data).digest('hex');

describe('sha1', () => {
  test('FIPS 180 test vectors', () => {
    expect(sha1(Buffer.from('abc')).toString('hex')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(sha1(Buffer.alloc(0)).toString('hex')).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
    expect(sha1(Buffer.from('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toString('hex')).toBe(
      '84983e441c3bd26ebaae4aa1f95129e5e54670f1',
    );
  });

  test('agrees with node:crypto on every length around the block boundaries, and on random data', () => {
    for (let n = 0; n < 200; n++) {
      const data = randomBytes(n);
      expect(sha1(data).toString('hex')).toBe(reference(data));
    }
    const large = randomBytes(100_003);
    expect(sha1(large).toString('hex')).toBe(reference(large));
  });
});
