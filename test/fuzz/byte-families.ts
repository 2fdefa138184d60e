// Case families about the bytes and the call itself: random bytes, mutated valid encodings,
// methods that do not exist, short and past deadlines, and cancelling streams part way.
import { status } from '@grpc/grpc-js';
import { draft, validRequests, type CaseDraft, type FuzzContext } from './fuzz-case.js';
import type { FuzzRandom } from './fuzz-random.js';
import { TARGETS, targetNamed } from './rpc-targets.js';
import { mutate } from './wire.js';

export type Family = (r: FuzzRandom, ctx: FuzzContext) => CaseDraft;

export const randomBytes: Family = (r) => {
  const target = r.pick(TARGETS);
  const count = target.kind === 'bidi' ? r.range(1, 3) : 1;
  const sizes = Array.from({ length: count }, () => r.pick([0, r.range(1, 16), r.range(17, 256), r.range(257, 4096)]));
  return draft(target, `${target.name} with random bytes of ${sizes.join(', ')} bytes`, sizes.map((n) => r.bytes(n)));
};

export const mutatedEncoding: Family = (r, ctx) => {
  const target = r.pick(TARGETS);
  const requests = validRequests(target, r, ctx);
  const at = r.int(requests.length);
  const { bytes, how } = mutate(r, requests[at] as Buffer);
  requests[at] = bytes;
  return draft(target, `${target.name} valid request #${at} mutated: ${how}`, requests);
};

export const unknownMethod: Family = (r) => {
  const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._';
  const word = (n: number): string => Array.from({ length: n }, () => chars[r.int(chars.length)]).join('');
  const path = r.pick([
    '/instruments.v1.InstrumentService/getInstrument',
    '/instruments.v1.InstrumentService/Nope',
    '/instruments.v2.InstrumentService/GetInstrument',
    '/grpc.health.v1.Health/check',
    '/grpc.reflection.v2.ServerReflection/ServerReflectionInfo',
    `/${word(r.range(1, 40))}/${word(r.range(1, 40))}`,
    `/${word(r.range(1, 60))}`,
  ]);
  const target = { name: 'unknown method', path, kind: r.pick(['unary', 'serverStream'] as const), codes: [status.UNIMPLEMENTED], strings: [], endless: false };
  return draft(target, `unknown method ${path} (${target.kind})`, [r.bytes(r.int(64))]);
};

export const shortDeadline: Family = (r, ctx) => {
  const target = r.pick(TARGETS);
  const deadlineMs = r.pick([1, 1, 0, -1000]);
  // Endless streams end by their deadline here, not by a cancel.
  return draft(target, `${target.name} valid request with a ${deadlineMs} ms deadline`, validRequests(target, r, ctx), { deadlineMs });
};

export const cancelMidStream: Family = (r, ctx) => {
  const target = r.pick([targetNamed('WatchChanges'), targetNamed('WatchChanges'), targetNamed('Health.Watch'), targetNamed('ServerReflectionInfo v1'), targetNamed('ServerReflectionInfo v1alpha')]);
  const requests = target.kind === 'bidi' ? Array.from({ length: r.range(2, 20) }, () => validRequests(target, r, ctx)[0] as Buffer) : validRequests(target, r, ctx);
  const byMessages = r.chance(0.6);
  // Health.Watch sends one message for a status that never changes; a watch at least a progress
  // message every progress interval (fuzz-server.ts); reflection one per request.
  const n = byMessages ? r.range(0, target.name === 'Health.Watch' ? 1 : 3) : r.range(0, 5);
  const how = byMessages ? `after ${n} messages` : `after ${n} ms`;
  // A cancelled stream may also have finished first (reflection ends when it has answered).
  return draft(target, `${target.name} with ${requests.length} request(s) cancelled ${how}`, requests,
    byMessages ? { cancelAfterMessages: n } : { cancelAfterMs: n });
};

export const validVariants: Family = (r, ctx) => {
  const target = r.pick(TARGETS);
  return draft(target, `${target.name} valid request`, validRequests(target, r, ctx));
};
