import type { handleServerStreamingCall } from '@grpc/grpc-js';
import type { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import type { InstrumentChange, WatchChangesRequest, WatchChangesResponse } from '../../gen/ts/instruments/v1/instrument_service.js';
import type { ChangeBatchEvent } from '../domain/change-batch.js';
import { compileFilter, MATCH_ALL, type Predicate } from '../domain/instrument-filter.js';
import { invalidArgument, ServiceError } from '../domain/service-error.js';
import type { RpcContext } from './rpc-context.js';
import type { SlicedFanOut } from './sliced-fan-out.js';
import { toGrpcStatus } from './to-grpc-status.js';
import type { WatchRegistry } from './watch-registry.js';
import { WatchStream, type StreamLimits } from './watch-stream.js';

export interface WatchSettings extends StreamLimits {
  /** How often an idle watcher is told the current revision. */
  progressIntervalMs: number;
  /** Instruments per snapshot message. */
  snapshotPageSize: number;
}

export const DEFAULT_WATCH_SETTINGS: WatchSettings = { progressIntervalMs: 10_000, snapshotPageSize: 500, maxPendingMessages: 256 };

/** A change concerns a watcher when the instrument matches its filter before or after it. */
function matching(batch: ChangeBatchEvent, matches: Predicate): InstrumentChange[] {
  if (matches === MATCH_ALL) return batch.changes;
  return batch.changes.filter((c) => (c.instrument !== undefined && matches(c.instrument)) || (c.previous !== undefined && matches(c.previous)));
}

// Watchers that see a whole batch share one message object, so the serializer encodes it once
// (encoded-service.ts) and every stream is written the same bytes.
const wholeBatches = new WeakMap<ChangeBatchEvent, WatchChangesResponse>();

function batchMessage(batch: ChangeBatchEvent, changes: InstrumentChange[]): WatchChangesResponse {
  const whole = changes.length === batch.changes.length;
  const cached = whole ? wholeBatches.get(batch) : undefined;
  if (cached !== undefined) return cached;
  const message = { revision: batch.revision, changes: { changes, appliedTime: batch.appliedAt } };
  if (whole) wholeBatches.set(batch, message);
  return message;
}

function resumeBatches(ctx: RpcContext, start: number): ChangeBatchEvent[] {
  const current = ctx.store.revision;
  if (start > current) {
    throw new ServiceError('OUT_OF_RANGE', `start_revision ${start} is ahead of this server's revision ${current}: re-list with ListInstruments in view SOURCE_VIEW_LIVE, the view watches follow (or send_initial_snapshot), and watch from its revision`);
  }
  const batches = ctx.store.changesSince(start);
  if (batches === undefined) {
    throw new ServiceError('OUT_OF_RANGE', `start_revision ${start} is older than the change history kept here (resumable from ${ctx.store.oldestResumableRevision}): re-list with ListInstruments in view SOURCE_VIEW_LIVE, the view watches follow (or send_initial_snapshot), and watch from its revision`);
  }
  return batches;
}

export function watchChanges(ctx: RpcContext, settings: WatchSettings, registry: WatchRegistry, batches: SlicedFanOut<ChangeBatchEvent>): handleServerStreamingCall<WatchChangesRequest, WatchChangesResponse> {
  const handle: handleServerStreamingCall<WatchChangesRequest, WatchChangesResponse> = (call) => {
    const request = call.request;
    let matches: Predicate;
    let backlog: ChangeBatchEvent[] = [];
    try {
      if (request.sendInitialSnapshot && request.startRevision > 0) {
        throw invalidArgument('send_initial_snapshot and start_revision exclude each other: take a snapshot, or resume after a revision');
      }
      matches = compileFilter(request.filter, ctx.exchanges.known());
      if (request.startRevision > 0) backlog = resumeBatches(ctx, request.startRevision);
    } catch (error) {
      call.emit('error', toGrpcStatus(error));
      return;
    }
    const stream = new WatchStream(call, settings);
    registry.add(stream);

    // Everything below runs in one tick: the view read here and the subscription taken here see
    // the same store state, so no batch falls between snapshot (or backlog) and live changes.
    const view = ctx.store.view();
    let sentThrough = view.revision;
    if (request.sendInitialSnapshot) {
      let page: InstrumentDefinition[] = [];
      for (const key of view.sortedKeys) {
        const d = view.byKey.get(key) as InstrumentDefinition;
        if (!matches(d)) continue;
        page.push(d);
        if (page.length === settings.snapshotPageSize) {
          stream.send({ revision: view.revision, snapshot: { instruments: page } });
          page = [];
        }
      }
      if (page.length > 0) stream.send({ revision: view.revision, snapshot: { instruments: page } });
      stream.send({ revision: view.revision, snapshotEnd: {} });
    } else {
      for (const batch of backlog) {
        const changes = matching(batch, matches);
        if (changes.length > 0) stream.send(batchMessage(batch, changes));
      }
      // Tell the client where the live part of its watch starts (after any resumed backlog).
      stream.send({ revision: view.revision, progress: {} });
    }
    const unlisten = batches.listen((batch) => {
      if (batch.revision <= sentThrough) return;
      sentThrough = batch.revision;
      const changes = matching(batch, matches);
      if (changes.length > 0) stream.send(batchMessage(batch, changes));
    });
    // The revision this watcher has been handed everything through: batches reach watchers a
    // slice at a time, so the store may already be further on.
    const progress = setInterval(() => stream.send({ revision: sentThrough, progress: {} }), settings.progressIntervalMs);
    stream.onClose(() => {
      unlisten();
      clearInterval(progress);
    });
  };
  return (call) => {
    const start = call.request.startRevision;
    // Redis mode: a watcher moving from a replica a little ahead of this one waits for it to catch up.
    const wait = ctx.awaitRevision;
    if (wait !== undefined && start > ctx.store.revision && !call.request.sendInitialSnapshot) {
      void wait(start).then(() => {
        if (!call.cancelled) handle(call);
      });
      return;
    }
    handle(call);
  };
}
