import { expect, it } from 'vitest';
import { mergeSortedKeys } from '../../src/store/store-view.js';

it('keeps the keys sorted after any adds and removals, as a full sort would', () => {
  let seed = 7;
  const random = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const key = (): string => `V${random(5)}:${['SPOT', 'OPTION', 'PERPETUAL'][random(3)]}:${random(1000)}/USD`;
  for (let round = 0; round < 200; round++) {
    const previous = [...new Set(Array.from({ length: random(50) }, key))].sort();
    const removed = new Set(previous.filter(() => random(4) === 0));
    const added = [...new Set(Array.from({ length: random(20) }, key))].filter((k) => !previous.includes(k));
    const expected = [...previous.filter((k) => !removed.has(k)), ...added].sort();
    expect(mergeSortedKeys({ previous, added, removed })).toEqual(expected);
  }
  const same = ['a', 'b'];
  expect(mergeSortedKeys({ previous: same, added: [], removed: new Set() })).toBe(same);
});
