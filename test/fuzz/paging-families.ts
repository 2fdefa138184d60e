// Case families about numbers and cursors: page sizes, forged page tokens, enum values outside
// the enum, and watch start revisions far in the future.
import { status } from '@grpc/grpc-js';
import { ListInstrumentsRequest, WatchChangesRequest } from '../../gen/ts/instruments/v1/instrument_service.js';
import type { Family } from './byte-families.js';
import { draft, validFilter, validRequest } from './fuzz-case.js';
import type { FuzzRandom } from './fuzz-random.js';
import { targetNamed } from './rpc-targets.js';
import { lenField, varint, varintField } from './wire.js';

const { OK, INVALID_ARGUMENT, OUT_OF_RANGE } = status;
const list = targetNamed('ListInstruments');
const watchChanges = targetNamed('WatchChanges');
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const MAX_PAGE_SIZE = 1000;
const DEFAULT_PAGE_SIZE = 100;
const MAX_SAFE = 2n ** 53n - 1n;

/** An int32 field's value as a parser reads it: the low 32 bits of the varint, signed. */
const asInt32 = (v: bigint): number => Number(BigInt.asIntN(32, v));

const encodeList = (request: ListInstrumentsRequest): Buffer => Buffer.from(ListInstrumentsRequest.encode(request).finish());

export const pageSizes: Family = (r, ctx) => {
  const raw = BigInt(r.pick<number | bigint>([-1, -100, INT32_MIN, INT32_MAX, MAX_PAGE_SIZE + 1, 2 ** 31, 2n ** 32n + 5n, 2n ** 63n, 2n ** 64n - 1n, 0, 1, MAX_PAGE_SIZE, r.range(-5000, 5000)]));
  const size = asInt32(raw);
  const request = Buffer.concat([encodeList({ filter: validFilter(r, ctx), pageSize: 0, pageToken: '', view: r.pick([0, 1, 2]) }), varintField(2, raw)]);
  const ok = size >= 0 && size <= MAX_PAGE_SIZE;
  return draft(list, `ListInstruments page_size varint ${raw} (int32 ${size})`, [request],
    ok ? { allowed: [OK], maxPage: size === 0 ? DEFAULT_PAGE_SIZE : size } : { allowed: [INVALID_ARGUMENT], mention: /page_size/ });
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const b64 = (r: FuzzRandom, n: number): string => Array.from({ length: n }, () => B64[r.int(64)]).join('');
const tokenOf = (body: unknown): string => Buffer.from(JSON.stringify(body)).toString('base64url');

export const pageTokens: Family = (r, ctx) => {
  const real = r.pick(ctx.tokens);
  const fingerprint = (JSON.parse(Buffer.from(real.token, 'base64url').toString()) as { f: string }).f;
  const page = real.request.pageSize;
  const send = (token: string, request = real.request): Buffer => encodeList({ ...request, pageToken: token });
  const mention = /page_token/;
  switch (r.int(8)) {
    case 0:
      return draft(list, 'ListInstruments real page token with its own request', [send(real.token)], { allowed: [OK], maxPage: page });
    case 1: {
      const other = r.pick(ctx.tokens.filter((t) => t !== real));
      return draft(list, 'ListInstruments real page token with another filter or view', [send(real.token, other.request)], { allowed: [INVALID_ARGUMENT], mention });
    }
    case 2: {
      const t = real.token;
      const at = r.int(t.length);
      const mutated = r.pick([`${t.slice(0, at)}${B64[r.int(64)]}${t.slice(at + 1)}`, t.slice(0, at), `${t}${b64(r, r.range(1, 8))}`, `${t.slice(0, at)}=${t.slice(at)}`]);
      return draft(list, `ListInstruments real page token mutated at ${at}: ${mutated}`, [send(mutated)], { allowed: [OK, INVALID_ARGUMENT], mention, maxPage: page });
    }
    case 3:
    case 4: {
      // Well-formed and carrying the right fingerprint, but pointing wherever the client likes.
      const after = r.pick(['', '\uffff\uffff', r.ascii(r.range(1, 30)), r.pick(ctx.keys), 'x'.repeat(700_000), 'x'.repeat(1024 * 1024)]);
      return draft(list, `ListInstruments forged page token after ${JSON.stringify(after.slice(0, 40))} (${after.length} chars)`,
        [send(tokenOf({ a: after, f: fingerprint }))], { allowed: [OK], maxPage: page });
    }
    case 5: {
      const body = r.pick<unknown>([{ a: 1, f: fingerprint }, { f: fingerprint }, null, [], 'x', 1e308, { a: 'x', f: 'wrong' }, { a: 'x', f: fingerprint, extra: [1] }]);
      const allowed = typeof body === 'object' && body !== null && 'extra' in body ? [OK] : [INVALID_ARGUMENT];
      return draft(list, `ListInstruments forged page token ${JSON.stringify(body)}`, [send(tokenOf(body))], { allowed, mention, maxPage: page });
    }
    case 6:
      return draft(list, 'ListInstruments random base64url page token', [send(b64(r, r.range(1, 300)))], { allowed: [INVALID_ARGUMENT, OK], mention, maxPage: page });
    default: {
      const bytes = r.bytes(r.range(1, 100));
      return draft(list, `ListInstruments page token of random bytes ${bytes.toString('hex')}`, [Buffer.concat([validRequest(list, r, ctx), lenField(3, bytes)])],
        { allowed: [INVALID_ARGUMENT, OK], mention });
    }
  }
};

export const enumValues: Family = (r, ctx) => {
  if (r.chance(0.6)) {
    const target = r.pick([targetNamed('GetInstrument'), targetNamed('BatchGetInstruments'), list]);
    const field = { GetInstrument: 5, BatchGetInstruments: 2, ListInstruments: 4 }[target.name] as number;
    const raw = BigInt(r.pick<number | bigint>([99, 4, -1, INT32_MIN, INT32_MAX, 2n ** 32n + 1n, 1, 2, 3]));
    const view = asInt32(raw);
    const known = view >= 0 && view <= 3;
    return draft(target, `${target.name} view varint ${raw} (enum ${view})`, [Buffer.concat([validRequest(target, r, ctx), varintField(field, raw)])],
      known ? {} : { allowed: [INVALID_ARGUMENT], mention: /view/ });
  }
  const target = r.pick([list, watchChanges]);
  const bad = r.pick([99, -5, 0, 6, -1, INT32_MIN]);
  const values = [r.pick([1, 2, 3, 4, 5]), bad];
  const encoded = r.chance(0.5) ? lenField(3, Buffer.concat(values.map((v) => varint(v)))) : Buffer.concat(values.map((v) => varintField(3, v)));
  const request = target === list ? Buffer.concat([lenField(1, encoded), varintField(2, 10)]) : lenField(1, encoded);
  return draft(target, `${target.name} filter.instrument_types [${values.join(', ')}]`, [request], { allowed: [INVALID_ARGUMENT], mention: /instrument_types/ });
};

export const startRevisions: Family = (r, ctx) => {
  const start = BigInt(r.pick<number | bigint>([0, 1, ctx.revision, ctx.revision + 1, ctx.revision + 1000, 2 ** 40, MAX_SAFE, MAX_SAFE + 1n, 2n ** 63n, 2n ** 64n - 1n]));
  const snapshot = r.chance(0.3);
  const filter = validFilter(r, ctx);
  const request = Buffer.concat([Buffer.from(WatchChangesRequest.encode({ filter, sendInitialSnapshot: snapshot, startRevision: 0 }).finish()), start > 0n ? varintField(3, start) : Buffer.alloc(0)]);
  const description = `WatchChanges start_revision ${start}${snapshot ? ' with send_initial_snapshot' : ''}`;
  if (start > MAX_SAFE) return draft(watchChanges, description, [request], { allowed: [INVALID_ARGUMENT, OUT_OF_RANGE], mention: /start_revision|2\^53/ });
  if (snapshot && start > 0n) return draft(watchChanges, description, [request], { allowed: [INVALID_ARGUMENT], mention: /send_initial_snapshot/ });
  if (start > BigInt(ctx.revision)) return draft(watchChanges, description, [request], { allowed: [OUT_OF_RANGE], mention: /start_revision/ });
  // Watches from now or from a kept revision: the first message arrives, then the client cancels.
  return draft(watchChanges, description, [request], { allowed: [] });
};
