// Synthetic exchanges for the crash test, shared by the test and its child process (plain ESM,
// so the child needs no build step of its own). Every exchange's definitions are a pure function
// of the revision, so the test knows the exact state after any revision without replaying a run.
//
// Revision r is a refresh of EXCHANGES[(r - 1) % 3], that exchange's k-th load. Each instrument
// moves through "epochs" at its own pace; a new epoch changes a compared field (so it is always
// an UPDATED, never a silent change) or, one epoch in eight, takes the instrument off the list
// (REMOVED, ADDED back later). Instrument 0 changes on every load, so every load is a batch.

export const EXCHANGES = [
  { ccxtExchange: 'alphaex', venue: 'ALPHA', instruments: 300 },
  { ccxtExchange: 'betaex', venue: 'BETA', instruments: 250 },
  { ccxtExchange: 'gammaex', venue: 'GAMMA', instruments: 350 },
];

const DAY = 86_400_000;
const BASE = Date.UTC(2026, 0, 1);

/** Deterministic 32-bit hash of small integers. */
function hash(...values) {
  let h = 2166136261;
  for (const v of values) {
    h = Math.imul(h ^ v, 16777619);
    h ^= h >>> 13;
  }
  return (Math.imul(h, 0x5bd1e995) ^ (h >>> 15)) >>> 0;
}

/** When revision r's refresh was applied. */
export function appliedAt(revision) {
  return new Date(BASE + revision * 1000);
}

/** Which exchange refreshes at `revision`, and how many loads of it that makes. */
export function refreshAt(revision) {
  const exchange = EXCHANGES[(revision - 1) % EXCHANGES.length];
  return { exchange, load: Math.floor((revision - 1) / EXCHANGES.length) + 1 };
}

/** Loads of each exchange among revisions 1..revision. */
function loadsBy(revision, index) {
  return revision > index ? Math.floor((revision - 1 - index) / EXCHANGES.length) + 1 : 0;
}

/** The exchange's instruments at its load-th load (plain objects; complete them with fromPartial). */
export function definitionsAt(exchange, load) {
  const e = EXCHANGES.indexOf(exchange);
  const out = [];
  for (let i = 0; i < exchange.instruments; i++) {
    const period = 3 + (hash(e, i) % 20);
    const epoch = i === 0 ? load : Math.floor((load + (hash(e, i, 1) % period)) / period);
    const h = hash(e, i, epoch);
    if (i !== 0 && h % 8 === 0) continue;
    out.push(definition(exchange, i, epoch, h));
  }
  return out;
}

/** Every exchange's instruments after `revision` (exchanges not loaded yet are absent). */
export function stateAt(revision) {
  const state = new Map();
  EXCHANGES.forEach((exchange, index) => {
    const loads = loadsBy(revision, index);
    if (loads > 0) state.set(exchange.ccxtExchange, definitionsAt(exchange, loads));
  });
  return state;
}

/**
 * Revision r's refresh applied to `previous` (the exchange's definitions by key before it), as
 * the store would: the batch and the exchange's definitions after it. `diffOne` and `complete`
 * (InstrumentDefinition.fromPartial) come from the caller's build, source or dist.
 */
export function refresh(revision, previous, { diffOne, complete }) {
  const { exchange, load } = refreshAt(revision);
  const next = new Map(definitionsAt(exchange, load).map((d) => [d.instrumentKey, complete(d)]));
  const at = appliedAt(revision);
  const changes = [];
  for (const key of new Set([...previous.keys(), ...next.keys()])) {
    const change = diffOne(key, previous.get(key), next.get(key), at);
    if (change !== undefined) changes.push(change);
  }
  return { batch: { revision, appliedAt: at, ccxtExchange: exchange.ccxtExchange, changes }, next };
}

function definition(exchange, i, epoch, h) {
  const base = `C${String(i).padStart(3, '0')}`;
  const kind = i % 3; // spot, perpetual, future
  const symbol = kind === 0 ? `${base}/USDT` : kind === 1 ? `${base}/USDT:USDT` : `${base}/USD:${base}-261225`;
  const type = ['SPOT', 'PERPETUAL', 'FUTURE'][kind];
  const tick = ['0.1', '0.01', '0.001', '0.5', '0.0001'][h % 5];
  return {
    instrumentKey: `${exchange.venue}:${type}:${symbol}`,
    venue: exchange.venue,
    instrumentType: kind + 1,
    availableFromDatetime: new Date(BASE - (i + 1) * DAY),
    baseAsset: base,
    quoteAsset: kind === 2 ? 'USD' : 'USDT',
    settleAsset: kind === 0 ? '' : kind === 1 ? 'USDT' : base,
    exchangeRawSymbol: `${base}${kind === 2 ? 'USD_261225' : 'USDT'}`,
    tardisSymbol: `${base.toLowerCase()}${kind === 2 ? 'usd_261225' : 'usdt'}`,
    tardisExchange: `${exchange.ccxtExchange}-${type.toLowerCase()}`,
    dataProvider: 'ccxt',
    venueType: 1,
    assetClass: 1,
    isLive: true,
    lastUpdated: new Date(BASE + epoch * 60_000),
    active: h % 11 !== 0,
    tickSize: tick,
    minSize: '0.001',
    maxSize: String(1_000_000 + epoch),
    tradingFeesMaker: '0.0002',
    tradingFeesTaker: '0.0005',
    contractSize: kind === 0 ? '' : kind === 1 ? '1' : '100',
    ccxtExchange: exchange.ccxtExchange,
    ccxtSymbol: symbol,
    lotSize: '0.001',
    minNotional: i === 0 ? String(epoch) : '5',
    maxNotional: '',
    pricePrecisionMode: 1,
    tickSizeSteps: h % 7 === 0 ? [{ abovePrice: '0', tickSize: tick }, { abovePrice: '1000', tickSize: '1' }] : [],
    amountPrecisionMode: 1,
    ...(kind === 0 ? {} : { linear: kind === 1, inverse: kind === 2 }),
    expiry: kind === 2 ? new Date(Date.UTC(2026, 11, 25, 8)) : undefined,
    underlying: kind === 0 ? '' : `${base}-USD`,
    status: h % 11 !== 0 ? 1 : 2,
    exchangeStatus: h % 11 !== 0 ? 'TRADING' : 'BREAK',
    incompleteFields: [],
    minPrice: '0.0001',
    maxPrice: '1000000',
  };
}
