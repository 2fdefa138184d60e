// Case families about field values in well-formed messages: invalid UTF-8 and huge or empty
// strings in every string field, and instrument lookups of every kind filled with garbage.
import { status } from '@grpc/grpc-js';
import type { Family } from './byte-families.js';
import { draft, SERVER_MAX_MESSAGE, validRequest, type FuzzContext } from './fuzz-case.js';
import type { FuzzRandom } from './fuzz-random.js';
import { TARGETS, targetNamed, type StringField, type Target } from './rpc-targets.js';
import { INVALID_UTF8, lenField, nestedField, varintField } from './wire.js';

const { OK, INVALID_ARGUMENT, NOT_FOUND } = status;
/** 1 MB (decimal): with the message around it, still under the 1 MiB request limit, so it reaches the handler. */
const MB = 1_000_000;

/** A request whose `field` holds `value`, with the rest of the request valid where it can be. */
function withString(target: Target, field: StringField, value: Buffer, r: FuzzRandom, ctx: FuzzContext): Buffer {
  const [outer, inner] = field.path;
  if (target.name === 'GetInstrument' && inner !== undefined) {
    // Pair lookups: the other half of the pair real, so the garbage half is what gets judged.
    const [exchange, symbol] = r.pick(ctx.ccxtPairs);
    const sibling = inner === 1 ? lenField(2, symbol) : lenField(1, exchange);
    return lenField(outer as number, Buffer.concat([sibling, lenField(inner, value)]));
  }
  if (target.name === 'GetInstrument' || target.name.startsWith('Health') || target.kind === 'bidi') return nestedField(field.path, value);
  // Later fields win (singular) or add an element (repeated): the valid request stays valid otherwise.
  return Buffer.concat([validRequest(target, r, ctx), nestedField(field.path, value)]);
}

const stringTargets = TARGETS.filter((t) => t.strings.length > 0);

export const invalidUtf8: Family = (r, ctx) => {
  const target = r.pick(stringTargets);
  const field = r.pick(target.strings);
  const bad = r.pick(INVALID_UTF8);
  const prefix = r.pick(['', 'BTC', r.pick(ctx.keys), `${r.pick(ctx.venues)}:PERPETUAL:`]);
  const value = Buffer.concat([Buffer.from(prefix), bad.bytes, Buffer.from(r.pick(['', 'USDT', ':USDT']))]);
  const request = withString(target, field, value, r, ctx);
  const requests = target.kind === 'bidi' ? [request, request] : [request];
  return draft(target, `${target.name} ${field.name} = ${JSON.stringify(prefix)} + ${bad.name}`, requests);
};

export const hugeStrings: Family = (r, ctx) => {
  const target = r.pick(stringTargets);
  const field = r.pick(target.strings);
  const size = r.pick([MB, MB, MB, MB, 64 * 1024, 0, 0, SERVER_MAX_MESSAGE + 1]);
  // A real prefix reaches the deeper paths (a well-formed key that is not found, a served venue).
  const prefix = size === 0 ? '' : r.pick(['', r.pick(ctx.keys), `${r.pick(ctx.venues)}:PERPETUAL:`, `${r.pick(ctx.venues)}:SPOT:BTC`]);
  const unit = r.ascii(16).replace(/:/g, '-');
  const value = Buffer.from((prefix + unit.repeat(Math.ceil(size / 16))).slice(0, Math.max(size, prefix.length)));
  return draft(target, `${target.name} ${field.name} of ${value.length} bytes (prefix ${JSON.stringify(prefix)})`, [withString(target, field, value, r, ctx)]);
};

const MALFORMED_KEYS = [':', '::', 'a:b:c', 'BINANCE-FUTURES:PERPETUAL:', 'binance-futures:PERPETUAL:BTC/USDT', 'X:NOPE:BTC', ':SPOT:BTC', 'BINANCE-FUTURES::BTC', 'NO-SUCH:SPOT:BTC/USDT', 'DERIBIT:OPTION:BTC-1JAN00-1-C'];

function garbage(r: FuzzRandom): string {
  return r.pick(['', ' ', r.ascii(r.range(1, 40)), '*', '%', '\u0000', 'é', '😀', 'BTC/USDT', '../../etc/passwd', '\u202e']);
}

const getInstrument = targetNamed('GetInstrument');
const batchGet = targetNamed('BatchGetInstruments');

function timestamp(r: FuzzRandom): { bytes: Buffer; label: string } {
  const seconds = r.pick<number | bigint>([1e12, 1e15, -1e15, 253_402_300_800, -62_135_596_801, 2n ** 53n, 2n ** 63n - 1n, -(2n ** 63n), 1_700_000_000]);
  const nanos = r.pick([0, -1, 1_000_000_000, 2 ** 31 - 1]);
  return { bytes: Buffer.concat([varintField(1, seconds), varintField(2, nanos)]), label: `{seconds: ${seconds}, nanos: ${nanos}}` };
}

export const lookups: Family = (r, ctx) => {
  const view = r.pick([0, 1, 2, 3]);
  const viewField = varintField(5, view);
  switch (r.int(6)) {
    case 0: {
      const key = r.pick([...MALFORMED_KEYS, garbage(r)]);
      return draft(getInstrument, `GetInstrument instrument_key ${JSON.stringify(key)}`, [Buffer.concat([lenField(1, key), viewField])], { allowed: [INVALID_ARGUMENT, NOT_FOUND] });
    }
    case 1: {
      const kind = r.range(2, 4);
      const a = r.chance(0.5) ? r.pick(kind === 3 ? ctx.venues : ctx.exchanges) : garbage(r);
      const b = garbage(r);
      const names = ['', '', 'ccxt', 'raw', 'tardis'][kind];
      return draft(getInstrument, `GetInstrument ${names} lookup (${JSON.stringify(a)}, ${JSON.stringify(b)})`,
        [Buffer.concat([lenField(kind, Buffer.concat([lenField(1, a), lenField(2, b)])), viewField])], { allowed: [OK, INVALID_ARGUMENT, NOT_FOUND] });
    }
    case 2: {
      // Several members of the oneof, in random order: the contract says one; any clear answer will do.
      const [exchange, symbol] = r.pick(ctx.ccxtPairs);
      const parts = [lenField(1, r.pick(ctx.keys)), lenField(2, Buffer.concat([lenField(1, exchange), lenField(2, symbol)])), lenField(4, lenField(2, garbage(r)))];
      const chosen = parts.filter(() => r.chance(0.7));
      return draft(getInstrument, `GetInstrument with ${chosen.length} oneof members set`, [Buffer.concat([...chosen, viewField])]);
    }
    case 3:
      return draft(getInstrument, `GetInstrument with no lookup (view ${view})`, [viewField], { allowed: [INVALID_ARGUMENT], mention: /name the instrument/ });
    case 4: {
      const ts = timestamp(r);
      return draft(getInstrument, `GetInstrument real key, view ${view}, as_of ${ts.label}`,
        [Buffer.concat([lenField(1, r.pick(ctx.keys)), viewField, lenField(6, ts.bytes)])], { allowed: [OK, INVALID_ARGUMENT, NOT_FOUND] });
    }
    default: {
      const count = r.pick([0, 1, 999, 1000, 1001, 5000]);
      const keys = Array.from({ length: count }, () => (r.chance(0.9) ? r.pick(ctx.keys) : r.pick([...MALFORMED_KEYS, 'NO-SUCH:SPOT:X/Y'])));
      const request = Buffer.concat([...keys.map((k) => lenField(1, k)), varintField(2, view)]);
      const allowed = count === 0 || count > 1000 ? [INVALID_ARGUMENT] : [OK, INVALID_ARGUMENT];
      return draft(batchGet, `BatchGetInstruments with ${count} keys`, [request], { allowed, mention: /instrument_keys?/ });
    }
  }
};
