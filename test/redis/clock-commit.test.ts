// The clock's expiries in Redis mode: the poller commits them to the shared log like a load
// (fenced by its lease), every replica applies the same UPDATED batch from the log, a second tick
// commits nothing, and a replica without the lease commits nothing at all.
import { expect, it } from 'vitest';
import { InstrumentStatus, InstrumentType, type InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { ChangeType } from '../../gen/ts/instruments/v1/instrument_service.js';
import { clockCommitter, CommitRefused } from '../../src/app/replica/log-committer.js';
import { perpetual } from '../support/definitions.js';
import { notYet, PATIENCE_MS, waitFor } from '../support/wait-for.js';
import { Cleanup, freshPrefix, startFollower, startKeeper, startLeader, useRedis } from './support/redis-mode.js';

const cleanup = new Cleanup();
const env = useRedis(cleanup);

const expiry = new Date('2026-03-27T08:00:00Z');
const future = (): InstrumentDefinition => perpetual('BTC', {
  instrumentKey: 'TEST-VENUE:FUTURE:BTC/USDT:USDT-260327', ccxtExchange: 'aaa', instrumentType: InstrumentType.INSTRUMENT_TYPE_FUTURE, expiry,
});

it('the poller commits what expired; another replica applies it from the log; a second tick commits nothing', async () => {
  const prefix = freshPrefix();
  const leader = await startLeader(env.redis, prefix, 100, ['aaa'], cleanup);
  await leader.commit('aaa', [future(), perpetual('ETH', { ccxtExchange: 'aaa' })], new Date(expiry.getTime() - 60_000));
  const other = await startFollower(env.redis, prefix, 100, cleanup);
  const tick = clockCommitter(leader.store, leader.log, leader.follower, leader.keeper, PATIENCE_MS);

  const batch = await tick('aaa', expiry);
  expect(batch?.revision).toBe(2);
  expect(batch?.changes.map((c) => [c.changeType, c.changedFields])).toEqual([[ChangeType.CHANGE_TYPE_UPDATED, ['active', 'status']]]);
  const seen = await waitFor(() => other.store.revision === 2 ? other.store.changesSince(1) : notYet(other.store.revision), 'the other replica applying the expiry');
  expect(seen).toEqual([batch]);
  expect(other.store.view().byKey.get(future().instrumentKey)).toMatchObject({ status: InstrumentStatus.INSTRUMENT_STATUS_EXPIRED, active: false });

  expect(await tick('aaa', new Date(expiry.getTime() + 1000))).toBeUndefined();
  // The same contract loaded again (the exchange still lists it): no change either.
  expect(await leader.commit('aaa', [future(), perpetual('ETH', { ccxtExchange: 'aaa' })], new Date(expiry.getTime() + 2000))).toBeUndefined();
  expect(leader.store.revision).toBe(2);
});

it('a replica that does not poll the exchange refuses to commit its expiries', async () => {
  const prefix = freshPrefix();
  const leader = await startLeader(env.redis, prefix, 100, ['aaa'], cleanup);
  await leader.commit('aaa', [future()], new Date(expiry.getTime() - 60_000));
  const other = await startFollower(env.redis, prefix, 100, cleanup);
  const { keeper } = await startKeeper(env.redis, prefix, 'other', ['aaa'], 60_000, cleanup);
  const tick = clockCommitter(other.store, other.log, other.follower, keeper, PATIENCE_MS);
  await expect(tick('aaa', expiry)).rejects.toBeInstanceOf(CommitRefused);
  expect(leader.store.revision).toBe(1);
});
