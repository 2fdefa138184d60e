// One fuzz case: the call to make, what it is (for the failure report), and which answers are
// acceptable. Plus the valid requests every family starts from, built from real server data.
import { status } from '@grpc/grpc-js';
import { InstrumentType } from '../../gen/ts/instruments/v1/instrument.js';
import {
  BatchGetInstrumentsRequest, GetInstrumentRequest, ListInstrumentsRequest, WatchChangesRequest, type InstrumentFilter,
} from '../../gen/ts/instruments/v1/instrument_service.js';
import type { FuzzRandom } from './fuzz-random.js';
import type { CallPlan } from './raw-client.js';
import type { Target } from './rpc-targets.js';
import { lenField, nestedField } from './wire.js';
import { PATIENCE_MS } from '../support/wait-for.js';

/** A call still running after one wait's patience is a hang, reported as a failure. */
export const NORMAL_DEADLINE_MS = PATIENCE_MS;
/** Deadlines at or below this may legitimately end a call with DEADLINE_EXCEEDED. */
export const SHORT_DEADLINE_MS = 1000;
/** The server's grpc.max_receive_message_length (src/server/grpc-server.ts). */
/** server.max_request_bytes by default: bigger requests are RESOURCE_EXHAUSTED, undecoded. */
export const SERVER_MAX_MESSAGE = 1024 * 1024;

/** What the server really serves, read from it before fuzzing. */
export interface FuzzContext {
  keys: string[];
  ccxtPairs: Array<[exchange: string, symbol: string]>;
  rawPairs: Array<[venue: string, rawSymbol: string]>;
  venues: string[];
  exchanges: string[];
  revision: number;
  /** Real next_page_tokens with the request that produced each. */
  tokens: Array<{ token: string; request: ListInstrumentsRequest }>;
}

export interface FuzzCase {
  index: number;
  family: string;
  target: Target;
  description: string;
  plan: CallPlan;
  /** Codes this case may end with (CANCELLED additionally only when the client cancelled). */
  allowed: readonly status[];
  /** A non-OK status must say this: it names what was wrong. */
  mention?: RegExp;
  /** For ListInstruments answers: the most instruments a page may hold. */
  maxPage?: number;
}

export interface CaseOptions {
  allowed?: readonly status[];
  mention?: RegExp;
  deadlineMs?: number;
  cancelAfterMessages?: number;
  cancelAfterMs?: number;
  maxPage?: number;
}

export type CaseDraft = Omit<FuzzCase, 'index' | 'family'>;

/** A case for `target`; endless streams are cancelled after their first message unless told otherwise. */
export function draft(target: Target, description: string, requests: Buffer[], o: CaseOptions = {}): CaseDraft {
  const deadlineMs = o.deadlineMs ?? NORMAL_DEADLINE_MS;
  const cancels = o.cancelAfterMessages !== undefined || o.cancelAfterMs !== undefined;
  const cancelAfterMessages = o.cancelAfterMessages ?? (target.endless && !cancels && deadlineMs > SHORT_DEADLINE_MS ? 1 : undefined);
  const allowed = new Set(o.allowed ?? target.codes);
  if (deadlineMs <= SHORT_DEADLINE_MS) allowed.add(status.DEADLINE_EXCEEDED);
  if (requests.some((b) => b.length > SERVER_MAX_MESSAGE)) allowed.add(status.RESOURCE_EXHAUSTED);
  if (cancels || cancelAfterMessages !== undefined) allowed.add(status.CANCELLED);
  const plan: CallPlan = { path: target.path, kind: target.kind, requests, deadlineMs };
  if (cancelAfterMessages !== undefined) plan.cancelAfterMessages = cancelAfterMessages;
  if (o.cancelAfterMs !== undefined) plan.cancelAfterMs = o.cancelAfterMs;
  const c: CaseDraft = { target, description, plan, allowed: [...allowed] };
  if (o.mention !== undefined) c.mention = o.mention;
  if (o.maxPage !== undefined) c.maxPage = o.maxPage;
  return c;
}

const VIEWS = [0, 1, 2, 3];
const TYPES = [InstrumentType.INSTRUMENT_TYPE_SPOT, InstrumentType.INSTRUMENT_TYPE_PERPETUAL, InstrumentType.INSTRUMENT_TYPE_FUTURE, InstrumentType.INSTRUMENT_TYPE_OPTION];

export function validFilter(r: FuzzRandom, ctx: FuzzContext): InstrumentFilter | undefined {
  if (r.chance(0.4)) return undefined;
  const some = <T>(xs: readonly T[], p: number): T[] => (r.chance(p) ? [r.pick(xs)] : []);
  const filter: InstrumentFilter = {
    venues: some(ctx.venues, 0.4), ccxtExchanges: some(ctx.exchanges, 0.2), instrumentTypes: some(TYPES, 0.4),
    baseAssets: some(['BTC', 'eth', 'SOL'], 0.3), quoteAssets: some(['USDT', 'USD'], 0.2), settleAssets: [],
    instrumentKeys: some(ctx.keys, 0.1),
  };
  if (r.chance(0.3)) filter.active = r.chance(0.5);
  return filter;
}

/** A request the method accepts (it may still answer NOT_FOUND for a lookup). */
export function validRequest(target: Target, r: FuzzRandom, ctx: FuzzContext): Buffer {
  const view = r.pick(VIEWS);
  switch (target.name) {
    case 'GetInstrument': {
      const lookup = r.int(3);
      const [exchange, symbol] = r.pick(ctx.ccxtPairs);
      const [venue, rawSymbol] = r.pick(ctx.rawPairs);
      const request = lookup === 0 ? { instrumentKey: r.pick(ctx.keys) } : lookup === 1 ? { ccxt: { ccxtExchange: exchange, ccxtSymbol: symbol } } : { raw: { venue, exchangeRawSymbol: rawSymbol } };
      return Buffer.from(GetInstrumentRequest.encode(GetInstrumentRequest.fromPartial({ ...request, view })).finish());
    }
    case 'BatchGetInstruments': {
      const keys = Array.from({ length: r.range(1, 10) }, () => r.pick(ctx.keys));
      return Buffer.from(BatchGetInstrumentsRequest.encode({ instrumentKeys: keys, view }).finish());
    }
    case 'ListInstruments':
      return Buffer.from(ListInstrumentsRequest.encode({ filter: validFilter(r, ctx), pageSize: r.pick([0, 1, 10, 100, 1000]), pageToken: '', view }).finish());
    case 'WatchChanges': {
      const snapshot = r.chance(0.5);
      const startRevision = snapshot || r.chance(0.5) ? 0 : r.range(1, ctx.revision);
      return Buffer.from(WatchChangesRequest.encode({ filter: validFilter(r, ctx), sendInitialSnapshot: snapshot, startRevision }).finish());
    }
    case 'Health.Check':
    case 'Health.Watch':
      return lenField(1, r.pick(['', 'instruments.v1.InstrumentService', 'no.such.Service']));
    case 'GetStatus':
    case 'Health.List':
      return Buffer.alloc(0);
    default:
      return reflectionRequest(r);
  }
}

function reflectionRequest(r: FuzzRandom): Buffer {
  const host = r.chance(0.3) ? lenField(1, 'localhost') : Buffer.alloc(0);
  const ask = r.pick([
    lenField(7, '*'),
    lenField(4, r.pick(['instruments.v1.InstrumentService', 'instruments.v1.InstrumentDefinition', 'grpc.health.v1.Health', 'no.such.Symbol'])),
    lenField(3, r.pick(['instruments/v1/instrument_service.proto', 'google/protobuf/timestamp.proto', 'nope.proto'])),
    lenField(6, 'instruments.v1.InstrumentDefinition'),
    nestedField([5, 1], 'instruments.v1.InstrumentDefinition'),
  ]);
  return Buffer.concat([host, ask]);
}

/** Bidi calls send a few messages; the others exactly one. */
export function validRequests(target: Target, r: FuzzRandom, ctx: FuzzContext): Buffer[] {
  const count = target.kind === 'bidi' ? r.range(1, 4) : 1;
  return Array.from({ length: count }, () => validRequest(target, r, ctx));
}
