// Every way an exchange's market list request can go wrong, injected by the replay exchange into a
// real service (real CCXT, real gRPC) for binancecoinm while dYdX shares the service and its only
// load slot. Per fault: the last-known-good instruments stay served, GetStatus shows the fault,
// retries back off within what the configuration allows, Retry-After is honoured, dYdX keeps
// refreshing, and binancecoinm recovers by itself once the fault clears.
import { describe, it, type ExpectStatic } from 'vitest';
import { ExchangeState } from '../../gen/ts/instruments/v1/instrument_service.js';
import type { ReplayFault } from '../../src/adapters/replay/index.js';
import { PATIENCE_MS } from '../support/wait-for.js';
import { CCXT_TIMEOUT_MS, FAULTED, OTHER, REFRESH, runFault, type FaultRun, type FaultScript } from './support/fault-window.js';
import { gapsMs, maxFailedAttemptsIn, maxRefreshesIn, shortestRetryDelayMs } from './support/retry-bounds.js';

const binanceError = (code: number, msg: string): string => JSON.stringify({ code, msg });
const htmlPage = (title: string): string => `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
const RETRY_AFTER_S = 2;

interface FailingCase {
  name: string;
  fault: ReplayFault;
  /** What GetStatus's last_error must say. */
  error: RegExp;
  /** The Retry-After the fault sends, in ms. */
  retryAfterMs?: number;
  /** Failed attempts to wait for; fewer for faults whose attempts are slow. */
  attempts?: number;
  /** Least time one attempt takes before it fails: the timeout it has to run into. */
  attemptMs?: number;
}

/** Node timers may fire up to 1 ms early, and the event times are whole ms. */
const TIMER_SLACK_MS = 2;

const withRetryAfter = { 'Retry-After': String(RETRY_AFTER_S) };
const FAILING: FailingCase[] = [
  {
    name: '429 with Retry-After',
    fault: { kind: 'status', status: 429, headers: withRetryAfter, body: binanceError(-1003, 'Too many requests; current limit of IP(127.0.0.1) is 2400 requests per minute. Please use the websocket for live updates to avoid polling the API.') },
    error: /^DDoSProtection: binancecoinm 429 Too Many Requests .*-1003/, retryAfterMs: RETRY_AFTER_S * 1000,
  },
  {
    name: '418 ban with Retry-After',
    fault: { kind: 'status', status: 418, headers: withRetryAfter, body: binanceError(-1003, 'Way too many requests; IP(127.0.0.1) banned until 1767225600000. Please use the websocket for live updates to avoid bans.') },
    error: /^DDoSProtection: binancecoinm 418 .*banned until/, retryAfterMs: RETRY_AFTER_S * 1000,
  },
  {
    name: '403 WAF ban',
    fault: { kind: 'status', status: 403, contentType: 'text/html', body: htmlPage('403 Forbidden') },
    error: /^ExchangeNotAvailable: binancecoinm GET \S+ 403 Forbidden/,
  },
  {
    name: '500',
    fault: { kind: 'status', status: 500, body: binanceError(-1001, 'Internal error; unable to process your request. Please try again.') },
    error: /^OperationFailed: binancecoinm 500 Internal Server Error \{"code":-1001,/,
  },
  {
    name: '502',
    fault: { kind: 'status', status: 502, contentType: 'text/html', body: htmlPage('502 Bad Gateway') },
    error: /^ExchangeNotAvailable: binancecoinm GET \S+ 502 Bad Gateway/,
  },
  {
    name: '503 with Retry-After',
    fault: { kind: 'status', status: 503, headers: withRetryAfter, body: binanceError(-1008, 'Server is currently overloaded with other requests. Please try again in a few minutes.') },
    error: /^ExchangeError: binancecoinm 503 Service Unavailable \{"code":-1008,/, retryAfterMs: RETRY_AFTER_S * 1000,
  },
  {
    name: '504',
    fault: { kind: 'status', status: 504, contentType: 'text/html', body: htmlPage('504 Gateway Time-out') },
    error: /^RequestTimeout: binancecoinm GET \S+ 504 Gateway Timeout/,
  },
  {
    name: 'no response (hang)', fault: { kind: 'hang' },
    error: /^RequestTimeout: binancecoinm GET \S+ request timed out \(1000 ms\)$/, attemptMs: CCXT_TIMEOUT_MS,
  },
  { name: 'connection reset mid-body', fault: { kind: 'reset' }, error: /ECONNRESET/ },
  { name: 'malformed JSON (body cut in half)', fault: { kind: 'malformed-json' }, error: /^BadResponse: binancecoinm GET \S+ answered HTTP 200 with malformed JSON/ },
  { name: 'HTML error page with 200', fault: { kind: 'html' }, error: /^BadResponse: binancecoinm GET \S+ answered HTTP 200 with an HTML page instead of JSON, content-type text\/html/ },
  { name: 'empty body with 200', fault: { kind: 'empty' }, error: /^BadResponse: binancecoinm GET \S+ answered HTTP 200 with an empty body/ },
  {
    // 100 KB at 64 bytes per 100 ms would take minutes: far past CCXT's timeout, which stops at the headers.
    name: 'slow trickle', fault: { kind: 'trickle', chunkBytes: 64, intervalMs: 100 },
    error: new RegExp(`^LoadTimeout: binancecoinm load did not finish within ${REFRESH.loadTimeoutSeconds * 1000} ms`),
    attempts: 2, attemptMs: REFRESH.loadTimeoutSeconds * 1000,
  },
];

/** The properties every fault must keep; `bound` is the most requests the configuration allows. */
function expectResilient(expect: ExpectStatic, run: FaultRun, bound: number): void {
  // Last-known-good served: same list size, same definitions, no change published at all.
  expect(run.during).toEqual(run.before);
  expect(run.after).toEqual(run.before);
  expect(run.revisionAfter).toBe(run.revisionBefore);
  expect(run.status.instrumentCount).toBe(run.before.count);
  // Backed off: at least two attempts (else nothing was retried), no more than the config allows;
  // every faulted request was an attempt the service reports (the last may still be running).
  expect(run.window.length).toBeGreaterThanOrEqual(2);
  expect(run.window.length).toBeLessThanOrEqual(bound);
  expect(run.attempts.length).toBeGreaterThanOrEqual(run.window.length - 1);
  expect(run.attempts.length).toBeLessThanOrEqual(run.window.length);
  expect(run.unfaulted).toBe(0);
  // The other exchange kept refreshing through the fault, on its own schedule.
  expect(run.other).toMatchObject({ state: ExchangeState.EXCHANGE_STATE_READY, consecutiveFailures: 0, lastError: '' });
  expect(run.otherRequests).toBeGreaterThanOrEqual(2);
  expect(run.other.lastSuccessTime?.getTime()).toBeGreaterThan(run.startedAt);
  // Recovered by itself: the first request after the clear was a successful load.
  expect(run.recovered).toMatchObject({ state: ExchangeState.EXCHANGE_STATE_READY, consecutiveFailures: 0, lastError: '', heldReason: '' });
  expect(run.recoveryRequests).toBe(1);
  expect(run.recovered.lastSuccessTime?.getTime()).toBeGreaterThanOrEqual(run.startedAt + run.windowMs);
}

/**
 * How long before its request reached the exchange the window's first attempt started (its tick):
 * the slot wait and the worker building a CCXT instance, which a busy machine stretches. Measured
 * from the service's own report of that attempt (its end less its duration) and the request's
 * arrival in the replay log, plus the slack of whole-ms event times: at least what really preceded
 * the request, so a bound widened by it stays sound.
 */
function firstHeadStartMs(run: FaultRun): number {
  const [request] = run.window;
  const [attempt] = run.attempts;
  if (request === undefined || attempt === undefined) throw new Error('no attempt in the window');
  return Math.max(0, request.at - (attempt.endedAt - attempt.durationMs)) + TIMER_SLACK_MS;
}

function summary(name: string, run: FaultRun, bound: number, attempts: number): void {
  const gaps = gapsMs(run.window);
  console.info(
    `[fault] ${name}: ${run.window.length} requests in ${run.windowMs} ms (bound ${bound}), ${attempts} attempts, ` +
    `min gap ${gaps.length > 0 ? Math.min(...gaps) : '-'} ms, first head start ${firstHeadStartMs(run)} ms, recovered ${run.recoveredAfterMs} ms after clear; ` +
    `${OTHER}: ${run.otherRequests} requests, ${run.other.state === ExchangeState.EXCHANGE_STATE_READY ? 'READY' : 'NOT READY'}`,
  );
}

// Three waits per case: the service's first loads, the fault's attempts, the recovery.
const CASE_TIMEOUT_MS = 3 * PATIENCE_MS;

describe.concurrent(`faults on ${FAULTED}'s market list`, () => {
  it.for(FAILING.map((c) => [c.name, c] as const))('%s', { timeout: CASE_TIMEOUT_MS }, async ([, { fault, error, retryAfterMs = 0, attempts = 3, attemptMs = 0 }], { expect, task }) => {
    const run = await runFault({ fault, expect: 'fails', attempts } satisfies FaultScript);
    // The window widened by the first attempt's measured head start: a timeout starts before its
    // request arrives, so only an attempt that runs into one can bring requests closer than that.
    const bound = maxFailedAttemptsIn(run.windowMs + (attemptMs > 0 ? firstHeadStartMs(run) : 0), REFRESH, retryAfterMs, attemptMs);
    summary(task.name, run, bound, run.status.consecutiveFailures);

    expectResilient(expect, run, bound);
    expect(run.status.state).toBe(ExchangeState.EXCHANGE_STATE_FAILED);
    expect(run.status.lastError).toMatch(error);
    expect(run.status.consecutiveFailures).toBeGreaterThanOrEqual(attempts);
    // Each attempt ran into its timeout before it failed (a lower bound: a slow machine only adds).
    for (const attempt of run.attempts) expect(attempt.durationMs).toBeGreaterThanOrEqual(attemptMs - TIMER_SLACK_MS);
    // Each retry's request came at least its backoff delay, and at least Retry-After when one was
    // sent, after the failure before it was reported.
    run.window.slice(1).forEach((request, i) => {
      const failedAt = run.attempts[i]?.endedAt ?? Number.NaN;
      expect(request.at - failedAt, `retry ${i + 1}`).toBeGreaterThanOrEqual(shortestRetryDelayMs(i + 1, REFRESH, retryAfterMs));
    });
    // The status announces the next attempt, Retry-After included.
    const { pending } = run;
    expect(pending?.nextAttemptTime).toBeDefined();
    const announcedMs = (pending?.nextAttemptTime?.getTime() ?? 0) - (pending?.lastAttemptTime?.getTime() ?? 0);
    expect(announcedMs).toBeGreaterThanOrEqual(shortestRetryDelayMs(1, REFRESH, retryAfterMs));
  });

  // Two cuts in turn: an identical cut on the next refresh would confirm the hold (the guard takes a
  // repeated list as a real delisting), so a fault that persists as one cut is not what this shows.
  it('truncated market list (90% and 70% of the markets missing, in turn)', { timeout: CASE_TIMEOUT_MS }, async ({ expect, task }) => {
    const run = await runFault({
      fault: [{ kind: 'truncated-list', keep: 0.1 }, { kind: 'truncated-list', keep: 0.3 }], expect: 'held', attempts: 2,
    });
    const bound = maxRefreshesIn(run.windowMs, REFRESH, firstHeadStartMs(run));
    summary(task.name, run, bound, run.status.heldRefreshes - run.heldBefore);

    expectResilient(expect, run, bound);
    // Held, not failed: shown with the reason; different cuts never confirm each other.
    expect(run.status.state).toBe(ExchangeState.EXCHANGE_STATE_READY);
    expect(run.status.heldRefreshes - run.heldBefore).toBeGreaterThanOrEqual(2);
    expect(run.status.heldReason).toMatch(/^would remove (49|38) of 54 instruments \((91|70)%\), more than 20% at once$/);
  });
});
