// A first load of a very large exchange is one commit: its instruments travel as one argument per
// kind (framed), not one argument per instrument, which would be past what a call can spread.
import { expect, it } from 'vitest';
import { InstrumentStore } from '../../src/store/instrument-store.js';
import { LogFollower } from '../../src/app/replica/log-follower.js';
import { perpetual } from '../support/definitions.js';
import { Cleanup, COMMAND_TIMEOUT_MS, useRedis, freshPrefix, openLog, FOLLOWER_RETRY_MS, READ_BLOCK_MS, silent } from './support/redis-mode.js';

const COUNT = 120_000;
const cleanup = new Cleanup();
const env = useRedis(cleanup);

it(`commits a first load of ${COUNT.toLocaleString('en')} instruments and a replica loads them back`, async () => {
  const { keys, log, link } = await openLog(env.redis, freshPrefix(), 100, cleanup);
  await link.client.set(keys.lease('big'), 'r1/1');
  const definitions = Array.from({ length: COUNT }, (_, i) => perpetual(`C${i}`, { ccxtExchange: 'big', tickSize: '0.00001' }));
  const store = new InstrumentStore();
  const delta = store.prepareExchange('big', definitions);
  expect(delta?.upserts).toHaveLength(COUNT);
  const committing = performance.now();
  expect(await log.commit(delta as NonNullable<typeof delta>, 0, 'r1/1')).toEqual({ ok: true, seq: 1, revision: 1 });
  const commitMs = performance.now() - committing;
  expect(await link.client.hlen(keys.source('big'))).toBe(COUNT);

  const replica = new InstrumentStore();
  const loading = performance.now();
  await new LogFollower(log, replica, silent, { blockMs: READ_BLOCK_MS, retryMs: FOLLOWER_RETRY_MS, onResync: () => undefined }).load();
  console.log(`committed in ${commitMs.toFixed(0)} ms, loaded back in ${(performance.now() - loading).toFixed(0)} ms`);
  expect([replica.revision, replica.countFor('big')]).toEqual([1, COUNT]);
  expect(replica.view().byKey.get(definitions[COUNT - 1]?.instrumentKey as string)?.tickSize).toBe('0.00001');
}, 2 * COMMAND_TIMEOUT_MS); // the commit and the load back, each bounded by the command timeout
