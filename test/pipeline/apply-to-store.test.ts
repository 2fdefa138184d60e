import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { applyToStore } from '../../src/pipeline/apply-to-store.js';
import type { LoadedDefinitions } from '../../src/adapters/ccxt/load-definitions.js';
import { InstrumentStore } from '../../src/store/instrument-store.js';
import { perpetual } from '../support/definitions.js';

const at = new Date('2026-01-01T00:00:00Z');
const load = (tick: string): LoadedDefinitions => ({ definitions: [perpetual('BTC', { tickSize: tick })], rejected: [], receivedAt: at });

describe('applyToStore', () => {
  it('applies each load in order: a change makes a revision, an identical load none', () => {
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ cold, expectObservable }) => {
      const store = new InstrumentStore();
      const loads = cold('a-b-b-c|', { a: load('1'), b: load('2'), c: load('3') });
      const revisions = loads.pipe(applyToStore(store, 'testex'));
      expectObservable(revisions).toBe('a-b-n-c|', {
        a: expect.objectContaining({ batch: expect.objectContaining({ revision: 1 }) }),
        b: expect.objectContaining({ batch: expect.objectContaining({ revision: 2 }) }),
        n: expect.objectContaining({ batch: undefined }),
        c: expect.objectContaining({ batch: expect.objectContaining({ revision: 3 }) }),
      });
    });
  });
});
