// The mirror's mechanics without a server: backoff, status classification, applying batches, and
// the stream lifecycle driven through a fake client whose streams the test feeds by hand.
import { EventEmitter } from 'node:events';
import { Metadata, status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import {
  ChangeType,
  WatchChangesResponse,
  type DeepPartial,
  type InstrumentChange,
  type WatchChangesRequest,
} from '../../gen/ts/instruments/v1/instrument_service.js';
import { InstrumentMirror, type MirrorErrorSource, type MirrorOptions } from '../../clients/ts/index.js';
import { MirrorState, ProtocolError } from '../../clients/ts/mirror-state.js';
import { checkBackoff, reconnectDelay } from '../../clients/ts/reconnect-backoff.js';
import { outcomeOf } from '../../clients/ts/stream-outcome.js';

const def = (key: string, fields: DeepPartial<InstrumentDefinition> = {}): InstrumentDefinition => InstrumentDefinition.fromPartial({
  instrumentKey: key, venue: 'TEST', ccxtExchange: 'testex', ccxtSymbol: key.split(':')[2] ?? key, exchangeRawSymbol: `${key}-RAW`, ...fields,
});
const change = (changeType: ChangeType, d: InstrumentDefinition): InstrumentChange =>
  ({ changeType, instrumentKey: d.instrumentKey, instrument: d, previous: undefined, changedFields: [], removalReason: 0 });
const A = def('TEST:SPOT:A/USD');
const B = def('TEST:SPOT:B/USD');
const C = def('TEST:SPOT:C/USD');

function serviceError(code: status, details: string): ServiceError {
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata: new Metadata() });
}

/** A server stream the test drives; cancel() ends it with CANCELLED later, as grpc-js does. */
class FakeStream extends EventEmitter {
  cancelled = false;
  cancel(): void {
    this.cancelled = true;
    setImmediate(() => this.emit('error', serviceError(status.CANCELLED, 'Cancelled on client')));
  }
  send(m: DeepPartial<WatchChangesResponse>): void {
    this.emit('data', WatchChangesResponse.fromPartial(m));
  }
  fail(code: status, details = 'test'): void {
    this.emit('error', serviceError(code, details));
  }
}

/** Records every watchChanges call; `call(n)` resolves with the n-th (from 0) once it is made. */
class FakeClient {
  readonly calls: Array<{ request: WatchChangesRequest; metadata: Metadata | undefined; stream: FakeStream }> = [];
  private readonly emitter = new EventEmitter();
  watchChanges(request: WatchChangesRequest, metadata?: Metadata): ClientReadableStream<WatchChangesResponse> {
    const stream = new FakeStream();
    this.calls.push({ request, metadata, stream });
    this.emitter.emit('call');
    return stream as unknown as ClientReadableStream<WatchChangesResponse>;
  }
  async call(n: number): Promise<(typeof this.calls)[number]> {
    while (this.calls[n] === undefined) await new Promise((r) => this.emitter.once('call', r));
    return this.calls[n];
  }
}

function setup(options: MirrorOptions = {}): { client: FakeClient; mirror: InstrumentMirror; errors: Array<[string, MirrorErrorSource]> } {
  const client = new FakeClient();
  const errors: Array<[string, MirrorErrorSource]> = [];
  const mirror = new InstrumentMirror(client, { backoff: { initialMs: 1, maxMs: 1 }, onError: (e, source) => errors.push([e.message, source]), ...options });
  return { client, mirror: mirror.start(), errors };
}

/** Answers a snapshot watch with `instruments` at `revision`. */
function snapshot(stream: FakeStream, revision: number, instruments: InstrumentDefinition[]): void {
  stream.send({ revision, snapshot: { instruments } });
  stream.send({ revision, snapshotEnd: {} });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('reconnect backoff', () => {
  it('doubles from initialMs up to maxMs, keeping the upper half of each step (equal jitter)', () => {
    const options = { initialMs: 100, maxMs: 1000 };
    expect([1, 2, 3, 4, 5, 9].map((n) => reconnectDelay(n, options, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 9].map((n) => reconnectDelay(n, options, () => 0.999999))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(reconnectDelay(3, options, () => 0.5)).toBe(300);
  });

  it('refuses settings that would spin or never retry', () => {
    for (const bad of [{ initialMs: 0, maxMs: 10 }, { initialMs: 10, maxMs: 5 }, { initialMs: Number.NaN, maxMs: 10 }, { initialMs: 1, maxMs: Infinity }]) {
      expect(() => checkBackoff(bad), JSON.stringify(bad)).toThrow(RangeError);
    }
  });
});

describe('stream outcome', () => {
  it('resumes after transient ends, re-lists on OUT_OF_RANGE, stops on what retrying cannot fix', () => {
    const of = (codes: status[]): string[] => codes.map(outcomeOf);
    expect(of([status.UNAVAILABLE, status.RESOURCE_EXHAUSTED, status.INTERNAL, status.CANCELLED, status.DEADLINE_EXCEEDED, status.UNKNOWN])).toEqual(Array(6).fill('resume'));
    expect(outcomeOf(status.OUT_OF_RANGE)).toBe('relist');
    expect(of([status.UNAUTHENTICATED, status.PERMISSION_DENIED, status.INVALID_ARGUMENT, status.UNIMPLEMENTED])).toEqual(Array(4).fill('fatal'));
  });
});

describe('mirror state', () => {
  it('keeps the CCXT and raw indexes in step with puts, updates that move a symbol, and removals', () => {
    const s = new MirrorState();
    s.replaceAll([A, B]);
    const movedA = def(A.instrumentKey, { exchangeRawSymbol: 'A-NEW', tickSize: '0.5' });
    s.applyBatch([change(ChangeType.CHANGE_TYPE_UPDATED, movedA), change(ChangeType.CHANGE_TYPE_REMOVED, B), change(ChangeType.CHANGE_TYPE_ADDED, C)]);
    expect(s.all().map((d) => d.instrumentKey).sort()).toEqual([A.instrumentKey, C.instrumentKey]);
    expect(s.byRaw('TEST', A.exchangeRawSymbol)).toBeUndefined();
    expect(s.byRaw('TEST', 'A-NEW')?.tickSize).toBe('0.5');
    expect(s.byCcxt('testex', 'A/USD')).toBe(movedA);
    expect(s.byCcxt('testex', 'B/USD')).toBeUndefined();
    expect(s.get(B.instrumentKey)).toBeUndefined();
    expect(s.size).toBe(2);
  });

  it('keeps a symbol reachable when the instrument that held it before is removed', () => {
    const s = new MirrorState();
    const relisted = def('TEST:SPOT:A2/USD', { exchangeRawSymbol: A.exchangeRawSymbol });
    s.replaceAll([A]);
    s.applyBatch([change(ChangeType.CHANGE_TYPE_ADDED, relisted), change(ChangeType.CHANGE_TYPE_REMOVED, A)]);
    expect(s.byRaw('TEST', A.exchangeRawSymbol)).toBe(relisted);
  });

  it('rejects a batch it cannot apply without touching the state', () => {
    const s = new MirrorState();
    s.replaceAll([A]);
    const broken = { ...change(ChangeType.CHANGE_TYPE_UPDATED, B), instrument: undefined };
    expect(() => s.applyBatch([change(ChangeType.CHANGE_TYPE_REMOVED, A), broken])).toThrow(ProtocolError);
    expect(s.get(A.instrumentKey)).toBe(A);
  });
});

describe('mirror over a fake stream', () => {
  it('shows nothing until snapshot_end, then the whole snapshot at its revision', async () => {
    const { client, mirror } = setup({ filter: { venues: ['TEST'] } });
    const { request, stream } = await client.call(0);
    expect(request).toMatchObject({ sendInitialSnapshot: true, startRevision: 0, filter: { venues: ['TEST'] } });
    stream.send({ revision: 7, snapshot: { instruments: [A] } });
    expect([mirror.synced, mirror.size, mirror.revision]).toEqual([false, 0, 0]);
    stream.send({ revision: 7, snapshot: { instruments: [B] } });
    stream.send({ revision: 7, snapshotEnd: {} });
    await mirror.waitSynced();
    expect([mirror.synced, mirror.size, mirror.revision]).toEqual([true, 2, 7]);
    expect(mirror.byRaw('TEST', B.exchangeRawSymbol)).toEqual(B);
    mirror.close();
  });

  it('applies batches before onChange runs; a throwing or rejecting onChange is reported and the next batch still applies', async () => {
    const seen: Array<[number, boolean]> = [];
    let calls = 0;
    const { client, mirror, errors } = setup({
      onChange: (batch, revision) => {
        calls += 1;
        seen.push([revision, mirror.get(batch.changes[0]?.instrumentKey ?? '') !== undefined]);
        if (calls === 1) throw new Error('callback bug');
        if (calls === 2) return Promise.reject(new Error('async callback bug'));
        return undefined;
      },
    });
    const { stream } = await client.call(0);
    snapshot(stream, 1, [A]);
    stream.send({ revision: 2, changes: { changes: [change(ChangeType.CHANGE_TYPE_ADDED, B)] } });
    stream.send({ revision: 3, changes: { changes: [change(ChangeType.CHANGE_TYPE_ADDED, C)] } });
    stream.send({ revision: 4, changes: { changes: [change(ChangeType.CHANGE_TYPE_REMOVED, A)] } });
    await mirror.waitForRevision(4);
    expect(seen).toEqual([[2, true], [3, true], [4, false]]);
    expect(mirror.all().map((d) => d.instrumentKey).sort()).toEqual([B.instrumentKey, C.instrumentKey]);
    await vi.waitFor(() => expect(errors).toEqual([['callback bug', 'callback'], ['async callback bug', 'callback']]));
    expect(mirror.counters).toMatchObject({ batches: 3, snapshots: 1, streams: 1 });
    mirror.close();
  });

  it('skips a repeated batch and takes the revision of progress messages', async () => {
    const { client, mirror } = setup();
    const { stream } = await client.call(0);
    snapshot(stream, 5, [A]);
    stream.send({ revision: 5, changes: { changes: [change(ChangeType.CHANGE_TYPE_REMOVED, A)] } });
    expect(mirror.get(A.instrumentKey)).toEqual(A);
    const reached = mirror.waitForRevision(9);
    stream.send({ revision: 9, progress: {} });
    await reached;
    expect([mirror.revision, mirror.counters.batches]).toEqual([9, 0]);
    mirror.close();
  });

  it('resumes after UNAVAILABLE from the last revision without a snapshot, keeping the state', async () => {
    const { client, mirror, errors } = setup({ metadata: () => { const m = new Metadata(); m.set('authorization', 'Bearer t'); return m; } });
    const first = await client.call(0);
    snapshot(first.stream, 3, [A, B]);
    first.stream.send({ revision: 4, progress: {} });
    first.stream.fail(status.UNAVAILABLE, 'server shutting down');
    const second = await client.call(1);
    expect(second.request).toMatchObject({ sendInitialSnapshot: false, startRevision: 4 });
    expect(second.metadata?.get('authorization')).toEqual(['Bearer t']);
    expect(mirror.size).toBe(2);
    second.stream.send({ revision: 5, changes: { changes: [change(ChangeType.CHANGE_TYPE_REMOVED, B)] } });
    await mirror.waitForRevision(5);
    expect(mirror.size).toBe(1);
    expect(mirror.counters).toMatchObject({ streams: 2, resumes: 1, snapshots: 1, relists: 0 });
    expect(errors).toEqual([[expect.stringContaining('server shutting down'), 'stream']]);
    mirror.close();
  });

  it('re-lists on OUT_OF_RANGE and replaces the state, even at a lower revision (another server)', async () => {
    const snapshots: number[] = [];
    const { client, mirror } = setup({ onSnapshot: (revision) => { snapshots.push(revision); } });
    const first = await client.call(0);
    snapshot(first.stream, 10, [A, B]);
    first.stream.fail(status.UNAVAILABLE);
    const resume = await client.call(1);
    expect(resume.request.startRevision).toBe(10);
    resume.stream.fail(status.OUT_OF_RANGE, 'start_revision 10 is ahead of this server\'s revision 2');
    const relist = await client.call(2);
    expect(relist.request).toMatchObject({ sendInitialSnapshot: true, startRevision: 0 });
    snapshot(relist.stream, 2, [C]);
    expect(snapshots).toEqual([10, 2]);
    expect([mirror.revision, mirror.all()]).toEqual([2, [C]]);
    expect(mirror.counters).toMatchObject({ streams: 3, resumes: 1, snapshots: 2, relists: 1 });
    mirror.close();
  });

  it('re-lists when a message cannot be applied, instead of drifting', async () => {
    const { client, mirror, errors } = setup();
    const first = await client.call(0);
    snapshot(first.stream, 1, [A]);
    first.stream.send({ revision: 2, changes: { changes: [{ changeType: ChangeType.CHANGE_TYPE_ADDED, instrumentKey: B.instrumentKey }] } });
    expect(first.stream.cancelled).toBe(true);
    const second = await client.call(1);
    expect(second.request.sendInitialSnapshot).toBe(true);
    expect(errors[0]?.[1]).toBe('protocol');
    expect(mirror.revision).toBe(1);
    mirror.close();
  });

  it.each([status.UNAUTHENTICATED, status.PERMISSION_DENIED, status.INVALID_ARGUMENT])('stops on status %i: failed resolves, waits reject, no retry', async (code) => {
    vi.useFakeTimers();
    const { client, mirror, errors } = setup();
    const synced = mirror.waitSynced();
    (await client.call(0)).stream.fail(code, 'no token');
    const error = await mirror.failed;
    expect(error).toMatchObject({ code, details: 'no token' });
    expect(mirror.error).toBe(error);
    await expect(synced).rejects.toBe(error);
    await expect(mirror.waitForRevision(1)).rejects.toBe(error);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(client.calls).toHaveLength(1);
    expect(errors.map(([, source]) => source)).toEqual(['fatal']);
    expect(() => mirror.start()).toThrow(/failed/);
  });

  it('backs off exponentially across failed reconnects and starts over once a stream delivers', async () => {
    vi.useFakeTimers();
    const { client, mirror } = setup({ backoff: { initialMs: 1000, maxMs: 8000 } });
    snapshot((await client.call(0)).stream, 1, [A]);
    // Each delay lies in [ceiling/2, ceiling]: not reopened before the half, reopened by the ceiling.
    for (const [n, ceiling] of [[1, 1000], [2, 2000], [3, 4000], [4, 8000], [5, 8000]] as const) {
      client.calls[n - 1]?.stream.fail(status.UNAVAILABLE);
      await vi.advanceTimersByTimeAsync(ceiling / 2 - 1);
      expect(client.calls, `attempt ${n}`).toHaveLength(n);
      await vi.advanceTimersByTimeAsync(ceiling / 2 + 1);
      expect(client.calls, `attempt ${n}`).toHaveLength(n + 1);
    }
    client.calls[5]?.stream.send({ revision: 1, progress: {} });
    client.calls[5]?.stream.fail(status.UNAVAILABLE);
    await vi.advanceTimersByTimeAsync(1000);
    expect(client.calls).toHaveLength(7);
    mirror.close();
  });

  it('stalenessMs grows from the last message; close() cancels the stream and rejects waits', async () => {
    let now = 1_000;
    const { client, mirror } = setup({ now: () => now });
    expect(mirror.stalenessMs).toBe(Number.POSITIVE_INFINITY);
    const { stream } = await client.call(0);
    snapshot(stream, 1, [A]);
    now += 250;
    expect(mirror.stalenessMs).toBe(250);
    stream.send({ revision: 2, progress: {} });
    expect(mirror.stalenessMs).toBe(0);
    const waiting = mirror.waitForRevision(3);
    mirror.close();
    await expect(waiting).rejects.toThrow('mirror closed');
    expect(stream.cancelled).toBe(true);
    expect(mirror.get(A.instrumentKey)).toEqual(A);
  });

  it('times a wait out with the revision it reached', async () => {
    const { client, mirror } = setup();
    snapshot((await client.call(0)).stream, 4, []);
    await expect(mirror.waitForRevision(5, 20)).rejects.toThrow('timed out after 20 ms waiting for revision 5 (at 4)');
    mirror.close();
  });
});
