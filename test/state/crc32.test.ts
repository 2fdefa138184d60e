import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { crc32, crc32Portable } from '../../src/adapters/state/crc32.js';

it('CRC-32 check value, and the native and portable implementations agree', () => {
  const check = new TextEncoder().encode('123456789');
  expect(crc32(check)).toBe(0xcbf43926);
  expect(crc32Portable(check)).toBe(0xcbf43926);
  for (const size of [0, 1, 7, 64, 4097, 100_000]) {
    const data = randomBytes(size);
    expect(crc32(data)).toBe(crc32Portable(data));
  }
});
