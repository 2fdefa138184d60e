import type { ClientReadableStream, Metadata } from '@grpc/grpc-js';
import type {
  ChangeBatch,
  DeepPartial,
  InstrumentFilter,
  WatchChangesRequest,
  WatchChangesResponse,
} from '../../gen/ts/instruments/v1/instrument_service.js';
import type { BackoffOptions } from './reconnect-backoff.js';

// The mirror's public configuration and read-outs, apart from its mechanics.

/** What the mirror needs of a client: the generated InstrumentServiceClient fits, and so does a
 *  wrapper (another address after a failover, a test double). */
export interface WatchClient {
  watchChanges(request: WatchChangesRequest, metadata?: Metadata): ClientReadableStream<WatchChangesResponse>;
}

/** Where a reported error came from: a callback of yours, a watch that ended and is being reopened,
 *  a message that could not be applied (a re-list follows), or the stop of the mirror. */
export type MirrorErrorSource = 'callback' | 'stream' | 'protocol' | 'fatal';

export interface MirrorOptions {
  /** Which instruments to mirror; empty mirrors everything the server serves. */
  filter?: DeepPartial<InstrumentFilter>;
  /** Sent on every WatchChanges call (e.g. bearerMetadata(token)); a function is asked again on
   *  every reconnect, so a rotated token is picked up. */
  metadata?: Metadata | (() => Metadata);
  /** After each change batch is applied: lookups already show it. */
  onChange?: (batch: ChangeBatch, revision: number) => void | Promise<void>;
  /** After a complete snapshot replaced the state (the first sync and every re-list): anything
   *  derived from earlier batches must be rebuilt from all(). */
  onSnapshot?: (revision: number) => void | Promise<void>;
  /** Errors are reported here, never thrown into the stream or written to the console. */
  onError?: (error: Error, source: MirrorErrorSource) => void;
  backoff?: BackoffOptions;
  /** Clock for stalenessMs, in ms (tests). */
  now?: () => number;
}

/** How often the mirror did what, for monitoring and tests. */
export interface MirrorCounters {
  /** WatchChanges calls opened. */
  streams: number;
  /** Of those, resumed after a revision without a snapshot. */
  resumes: number;
  /** Complete snapshots applied. */
  snapshots: number;
  /** Re-lists forced by OUT_OF_RANGE or by a message that could not be applied. */
  relists: number;
  /** Change batches applied. */
  batches: number;
}
