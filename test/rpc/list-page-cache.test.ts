// ListInstruments caches pages by view, filter, page size and page token. The token is the
// client's to choose: forged, well-formed tokens of a megabyte each must not each be cached at
// the cost of one instrument, or the cache's 50,000-instrument bound pins 50 GB.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, it } from 'vitest';
import { SourceView, type ListInstrumentsRequest } from '../../gen/ts/instruments/v1/instrument_service.js';
import { listInstruments } from '../../src/rpc/list-instruments.js';
import { InstrumentStore } from '../../src/store/instrument-store.js';
import { perpetual } from '../support/definitions.js';

// A measured heap needs collected garbage: gc() from a fresh context once the flag is set.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const FORGED = 200;
const MB = 1024 * 1024;
/** The cache's bound in key characters: 50,000 instruments × 500 characters each (list-instruments.ts). */
const CACHE_BOUND_BYTES = 25 * MB;

it(`keeps its memory bounded when ${FORGED} forged 1 MB page tokens are each cached`, () => {
  const store = new InstrumentStore();
  store.applyExchange('testex', Array.from({ length: 20 }, (_, i) => perpetual(`S${i}`)));
  const list = listInstruments({ store, exchanges: { statuses: () => [], known: () => ({ venues: new Set(['TEST-VENUE']), ccxtExchanges: new Set(['testex']) }) } });
  const request: ListInstrumentsRequest = { filter: undefined, pageSize: 5, pageToken: '', view: SourceView.SOURCE_VIEW_MERGED };
  const { f } = JSON.parse(Buffer.from(list(request).nextPageToken, 'base64url').toString()) as { f: string };

  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < FORGED; i++) {
    // Past every key: an empty page, the cheapest entry there is before counting its key.
    const token = Buffer.from(JSON.stringify({ a: `x${i}${'x'.repeat(MB)}`, f })).toString('base64url');
    expect(list({ ...request, pageToken: token }).instruments).toEqual([]);
  }
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  console.info(`list page cache: heap grew ${(grown / MB).toFixed(1)} MB after ${FORGED} forged page tokens of 1.3 MB`);
  // Without counting the keys every token stays cached: about 270 MB.
  expect(grown).toBeLessThan(CACHE_BOUND_BYTES + 10 * MB);
});
