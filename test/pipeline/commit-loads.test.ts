import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import type { LoadedDefinitions } from '../../src/adapters/ccxt/load-definitions.js';
import type { ChangeBatchEvent } from '../../src/domain/change-batch.js';
import { commitLoads } from '../../src/pipeline/commit-loads.js';

const load = (n: number): LoadedDefinitions => ({ definitions: [], rejected: [], receivedAt: new Date(n) });
const batch = (revision: number): ChangeBatchEvent => ({ revision, appliedAt: new Date(0), ccxtExchange: 'testex', changes: [] });

describe('commitLoads', () => {
  it('commits loads one at a time, in order: a load arriving during a commit waits for it', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, hot, expectObservable }) => {
      const loads = hot('a-b------|', { a: load(1), b: load(2) });
      const commits: Record<number, string> = { 1: '---x|', 2: '--y|' };
      const out = loads.pipe(commitLoads((loaded) => cold(commits[loaded.receivedAt.getTime()] as string, { x: batch(1), y: batch(2) }), () => undefined));
      expectObservable(out).toBe('---x--y--|', {
        x: { loaded: load(1), batch: batch(1) },
        y: { loaded: load(2), batch: batch(2) },
      });
    });
  });

  it('reports a refused commit, emits nothing for it and goes on with the next load', () => {
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(({ cold, hot, expectObservable, flush }) => {
      const refused: [string, number][] = [];
      const loads = hot('a--b--|', { a: load(1), b: load(2) });
      const out = loads.pipe(commitLoads(
        (loaded) => (loaded.receivedAt.getTime() === 1 ? cold('-#', undefined, new Error('lease lost')) : cold('-u|', { u: undefined })),
        (error, loaded) => refused.push([(error as Error).message, loaded.receivedAt.getTime()]),
      ));
      expectObservable(out).toBe('----u-|', { u: { loaded: load(2), batch: undefined } });
      flush();
      expect(refused).toEqual([['lease lost', 1]]);
    });
  });
});
