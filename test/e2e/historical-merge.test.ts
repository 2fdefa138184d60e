// Historical + live on real data: the Tardis samples (deribit, bitmex) as the historical source,
// the recorded Deribit market list as the live one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SourceView } from '../../gen/ts/instruments/v1/instrument_service.js';
import { TARDIS_DIR } from '../support/fixtures.js';
import { startHarness, waitForExchanges, type Harness } from '../support/service-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ deribit: 'fixture' }, { historicalSources: [TARDIS_DIR] });
  await waitForExchanges(h, ['deribit']);
});
afterAll(() => h.close());

const get = (key: string, view = SourceView.SOURCE_VIEW_UNSPECIFIED, asOf?: Date) => h.rpc.getInstrument({ instrumentKey: key, view, ...(asOf ? { asOf } : {}) });

it('serves instruments no longer listed from history, with their availability window', async () => {
  // BTC-14FEB25 expired before the live recording (2025-11-06): only Tardis knows it.
  const raw = JSON.parse(readFileSync(join(TARDIS_DIR, 'deribit_BTC-14FEB25.json'), 'utf8')) as { availableSince: string; expiry: string };
  const { instrument } = await get('DERIBIT:FUTURE:BTC/USD:BTC-250214');
  expect(instrument).toMatchObject({ isLive: false, dataProvider: 'tardis', exchangeRawSymbol: 'BTC-14FEB25' });
  expect(instrument?.availableFromDatetime?.toISOString()).toBe(new Date(raw.availableSince).toISOString());
  expect(instrument?.expiry?.toISOString()).toBe(new Date(raw.expiry).toISOString());
  const live = await get('DERIBIT:FUTURE:BTC/USD:BTC-250214', SourceView.SOURCE_VIEW_LIVE).then(() => undefined, (e: ServiceError) => e);
  expect(live?.code).toBe(status.NOT_FOUND);
});

it('leaves a live instrument exactly as live has it when history has nothing to add', async () => {
  const merged = (await get('DERIBIT:SPOT:BTC/USDC')).instrument;
  const live = (await get('DERIBIT:SPOT:BTC/USDC', SourceView.SOURCE_VIEW_LIVE)).instrument;
  expect(merged?.isLive).toBe(true);
  expect(merged?.dataProvider).toBe('ccxt');
  for (const field of ['tickSize', 'lotSize', 'minSize', 'tradingFeesMaker', 'tradingFeesTaker', 'active', 'status'] as const) {
    expect(merged?.[field], field).toEqual(live?.[field]);
  }
  // Deribit's live list publishes every field its Tardis record has, so history fills nothing
  // here (filling is shown in test/domain/merge-definitions.test.ts and test/store/).
  expect(merged?.fieldsFromHistory).toEqual([]);
  expect(merged).toEqual(live);
});

it('answers as of a past time from the recorded changes', async () => {
  // deribit_BTC_USDC.json records a tick size valid until 2024-04-02T12:10Z.
  const raw = JSON.parse(readFileSync(join(TARDIS_DIR, 'deribit_BTC_USDC.json'), 'utf8')) as { priceIncrement: number; changes: Array<{ until: string; priceIncrement?: number }> };
  const change = raw.changes.find((c) => c.priceIncrement !== undefined);
  const before = new Date(new Date(change?.until ?? 0).getTime() - 60_000);
  expect((await get('DERIBIT:SPOT:BTC/USDC', SourceView.SOURCE_VIEW_MERGED, before)).instrument?.tickSize).toBe(String(change?.priceIncrement));
  expect((await get('DERIBIT:SPOT:BTC/USDC', SourceView.SOURCE_VIEW_HISTORICAL)).instrument?.tickSize).toBe(String(raw.priceIncrement));
  const tooEarly = await get('DERIBIT:SPOT:BTC/USDC', SourceView.SOURCE_VIEW_MERGED, new Date('2010-01-01T00:00:00Z')).then(() => undefined, (e: ServiceError) => e);
  expect(tooEarly?.details).toMatch(/has no recorded definition at 2010-01-01T00:00:00.000Z/);
});
