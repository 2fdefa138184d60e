// The families in a fixed rotation: case i belongs to family i mod 13, so any run of cases that
// is a multiple of 13 long has exactly the same composition (the memory comparison relies on it),
// and its content comes from a generator seeded by (seed, i) alone.
import { cancelMidStream, mutatedEncoding, randomBytes, shortDeadline, unknownMethod, validVariants, type Family } from './byte-families.js';
import { hugeStrings, invalidUtf8, lookups } from './field-families.js';
import type { FuzzCase, FuzzContext } from './fuzz-case.js';
import { FuzzRandom } from './fuzz-random.js';
import { enumValues, pageSizes, pageTokens, startRevisions } from './paging-families.js';

export const FAMILIES: ReadonlyArray<[name: string, family: Family]> = [
  ['random-bytes', randomBytes],
  ['mutated-encoding', mutatedEncoding],
  ['invalid-utf8', invalidUtf8],
  ['huge-strings', hugeStrings],
  ['page-size', pageSizes],
  ['page-token', pageTokens],
  ['enum-values', enumValues],
  ['start-revision', startRevisions],
  ['lookups', lookups],
  ['short-deadline', shortDeadline],
  ['cancel-mid-stream', cancelMidStream],
  ['unknown-method', unknownMethod],
  ['valid', validVariants],
];

export function caseAt(seed: number, index: number, ctx: FuzzContext): FuzzCase {
  const [family, make] = FAMILIES[index % FAMILIES.length] as [string, Family];
  return { index, family, ...make(new FuzzRandom(seed, index), ctx) };
}

/** Where each phase ends: a warm-up, then two halves of equal size and identical composition. */
export function phases(total: number): { warmUp: number; half: number } {
  const half = Math.floor((total * 0.4) / FAMILIES.length) * FAMILIES.length;
  return { warmUp: total - 2 * half, half };
}
