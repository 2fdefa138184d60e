// One fault's run against a real service: the replay exchange misbehaves for one exchange's market
// URL while a second exchange shares the service (and its single load slot); then the fault clears.
// Everything observed goes into a FaultRun for the suite's assertions and summary line.
import {
  ExchangeState,
  SourceView,
  type ExchangeStatus,
  type GetInstrumentResponse,
} from '../../../gen/ts/instruments/v1/instrument_service.js';
import type { ReplayFault, RequestLogEntry } from '../../../src/adapters/replay/index.js';
import { DEFAULT_CONFIG, type RefreshConfig } from '../../../src/app/config.js';
import type { RefreshEvent } from '../../../src/app/refresh-event.js';
import { startHarness, waitForExchanges, type Harness } from '../../support/service-harness.js';
import { notYet, waitFor } from '../../support/wait-for.js';

export const FAULTED = 'binancecoinm';
export const FAULTED_URL = 'https://dapi.binance.com/dapi/v1/exchangeInfo';
export const OTHER = 'dydx';
export const OTHER_URL = 'https://indexer.dydx.trade/v4/perpetualMarkets';
/** CCXT's per-request timeout for the faulted exchange (its `ccxt: { timeout }`), small so `hang` ends soon. */
export const CCXT_TIMEOUT_MS = 1000;

export const REFRESH: RefreshConfig = {
  ...DEFAULT_CONFIG.refresh,
  intervalSeconds: 1,
  jitterRatio: 0.1,
  retryInitialSeconds: 0.25,
  retryMaxSeconds: 1,
  // Above CCXT's timeout, so a hang ends as CCXT's RequestTimeout and only a trickle needs it.
  loadTimeoutSeconds: 3,
  // One slot for both exchanges: a faulted load holding it for good would starve the other one.
  maxConcurrentLoads: 1,
};

/** What clients get for the faulted exchange: the list's size and three definitions in full. */
export interface Served {
  count: number;
  samples: GetInstrumentResponse[];
}

export interface FaultRun {
  before: Served;
  during: Served;
  after: Served;
  revisionBefore: number;
  revisionAfter: number;
  /** The faulted exchange's status when the window closed. */
  status: ExchangeStatus;
  /** A status taken while a retry was pending (nextAttemptTime set); undefined for held loads. */
  pending: ExchangeStatus | undefined;
  other: ExchangeStatus;
  /** Requests for the other exchange's URL during the window. */
  otherRequests: number;
  heldBefore: number;
  /** When the fault was armed (ms since the epoch). */
  startedAt: number;
  windowMs: number;
  /** Requests for the faulted URL that got the fault, oldest first. */
  window: RequestLogEntry[];
  /**
   * The faulted exchange's failed or held attempts that ended while the fault was armed, oldest
   * first, as its refresh events report them: when each ended (ms since the epoch) and how long it
   * ran from its start (its tick, before waiting for a load slot). One per request in `window`,
   * but the last one's may still have been running at the clear.
   */
  attempts: Array<{ endedAt: number; durationMs: number }>;
  /** Requests for the faulted URL answered normally while the fault was armed (should be none). */
  unfaulted: number;
  /** The status once the first load after the clear has succeeded. */
  recovered: ExchangeStatus;
  /** Requests for the faulted URL after the clear, up to the first successful load. */
  recoveryRequests: number;
  recoveredAfterMs: number;
}

async function statusOf(h: Harness, id: string): Promise<ExchangeStatus> {
  const status = (await h.rpc.getStatus()).exchanges.find((e) => e.ccxtExchange === id);
  if (status === undefined) throw new Error(`no status for ${id}`);
  return status;
}

async function served(h: Harness): Promise<Served> {
  const list = await h.rpc.listInstruments({ filter: { ccxtExchanges: [FAULTED] }, pageSize: 1000, view: SourceView.SOURCE_VIEW_LIVE });
  const keys = list.instruments.map((i) => i.instrumentKey);
  const picked = [keys[0], keys[Math.floor(keys.length / 2)], keys.at(-1)].filter((k): k is string => k !== undefined);
  const samples = await Promise.all(picked.map((instrumentKey) => h.rpc.getInstrument({ instrumentKey })));
  // The revision moves with the other exchange's refreshes; only the definitions are compared.
  return { count: keys.length, samples: samples.map((s) => ({ ...s, revision: 0 })) };
}

export interface FaultScript {
  /** Served until cleared; a list one per request, round and round. */
  fault: ReplayFault | readonly ReplayFault[];
  /** 'fails': loads fail and are retried; 'held': loads arrive and the guard holds them. */
  expect: 'fails' | 'held';
  /** Failed (or held) attempts to see before the fault is cleared. */
  attempts: number;
}

/** Starts a service, injects the fault, waits for `plan.attempts`, clears it and waits for recovery. */
export async function runFault(plan: FaultScript): Promise<FaultRun> {
  const h = await startHarness({ [FAULTED]: { ccxt: { timeout: CCXT_TIMEOUT_MS } }, [OTHER]: 'fixture' }, { refresh: REFRESH });
  const events: RefreshEvent[] = [];
  const subscription = h.service.refreshes$.subscribe((event) => {
    if (event.exchange === FAULTED) events.push(event);
  });
  try {
    await waitForExchanges(h, [FAULTED, OTHER]);
    const before = await served(h);
    const revisionBefore = h.service.store.revision;
    const heldBefore = (await statusOf(h, FAULTED)).heldRefreshes;

    const t0 = Date.now();
    h.replay.fault(FAULTED_URL, plan.fault, { times: Number.POSITIVE_INFINITY });
    let pending: ExchangeStatus | undefined;
    // Probed every 50 ms: fourteen of these services share the file's process, each asked by RPC.
    const status = await waitFor(async () => {
      const s = await statusOf(h, FAULTED);
      if (s.state === ExchangeState.EXCHANGE_STATE_FAILED && s.nextAttemptTime !== undefined) pending ??= s;
      const seen = plan.expect === 'fails' ? s.consecutiveFailures : s.heldRefreshes - heldBefore;
      const otherRequests = h.replay.requestCount(OTHER_URL, t0);
      return seen >= plan.attempts && otherRequests >= 2 ? s : notYet({ [plan.expect]: seen, otherRequests, lastError: s.lastError });
    }, `${plan.attempts} ${plan.expect === 'fails' ? 'failed' : 'held'} loads of ${FAULTED} and 2 requests of ${OTHER}`, { everyMs: 50 });
    const during = await served(h);
    const other = await statusOf(h, OTHER);
    const t1 = Date.now();
    h.replay.clearFault(FAULTED_URL);
    const otherRequests = h.replay.requestCount(OTHER_URL, t0);
    const log = h.replay.requestLog().filter((e) => e.url === FAULTED_URL);
    const window = log.filter((e) => e.source === 'fault');
    // Strictly inside: a request in the same millisecond as the arming or the clear may be either side of it.
    const unfaulted = log.filter((e) => e.source !== 'fault' && e.at > t0 && e.at < t1).length;
    const attempts = events
      .filter((e) => e.at.getTime() >= t0 && (e.outcome === 'failed' || e.outcome === 'held'))
      .map((e) => ({ endedAt: e.at.getTime(), durationMs: e.durationMs }));

    // The first successful load after the clear (later refreshes keep coming on schedule).
    const success = await waitFor(
      () => events.find((e) => e.at.getTime() >= t1 && (e.outcome === 'applied' || e.outcome === 'unchanged')) ?? notYet(events.at(-1)),
      `${FAULTED}'s first successful refresh after the fault cleared`,
    );
    const successAt = success.at.getTime();
    const recovered = await statusOf(h, FAULTED);
    const recoveryRequests = h.replay.requestLog().filter((e) => e.url === FAULTED_URL && e.source !== 'fault' && e.at >= t1 && e.at <= successAt).length;
    return {
      before, during, after: await served(h), revisionBefore, revisionAfter: h.service.store.revision,
      status, pending, other, otherRequests, heldBefore, startedAt: t0, windowMs: t1 - t0, window, attempts, unfaulted,
      recovered, recoveryRequests, recoveredAfterMs: successAt - t1,
    };
  } finally {
    subscription.unsubscribe();
    await h.close();
  }
}
