// Judges one answer: a status the case allows, details that say what was wrong without echoing
// a large input, and OK answers that decode and respect the requested page size.
import { status } from '@grpc/grpc-js';
import {
  BatchGetInstrumentsResponse, GetInstrumentResponse, GetStatusResponse, ListInstrumentsResponse, WatchChangesResponse,
} from '../../gen/ts/instruments/v1/instrument_service.js';
import type { FuzzCase } from './fuzz-case.js';
import type { Outcome } from './raw-client.js';

/**
 * A status message names the problem in a sentence or two (plus a few close matches or accepted
 * values); 4 KiB is far above that and far below the 1 MB inputs: trailers that large break
 * HTTP/2 clients, which is why an echoed input is a failure.
 */
export const MAX_DETAILS_BYTES = 4096;

/** What each status must say, beyond a case's own `mention`. */
const SAYS: Partial<Record<status, RegExp>> = {
  [status.INVALID_ARGUMENT]: /instrument_keys?|page_size|page_token|view|filter\.|as_of|start_revision|send_initial_snapshot|lookup|name the instrument|request message/,
  [status.NOT_FOUND]: /not found|not served|not configured|unknown|no recorded definition/,
  [status.OUT_OF_RANGE]: /start_revision/,
  [status.UNAVAILABLE]: /has not loaded yet/,
  [status.RESOURCE_EXHAUSTED]: /larger than max|too slow/,
  [status.DEADLINE_EXCEEDED]: /[Dd]eadline/,
  [status.CANCELLED]: /[Cc]ancel/,
  [status.UNIMPLEMENTED]: /not implement|[Uu]nimplemented/,
};

const DECODERS: Record<string, (bytes: Buffer) => unknown> = {
  GetInstrument: (b) => GetInstrumentResponse.decode(b),
  BatchGetInstruments: (b) => BatchGetInstrumentsResponse.decode(b),
  ListInstruments: (b) => ListInstrumentsResponse.decode(b),
  WatchChanges: (b) => WatchChangesResponse.decode(b),
  GetStatus: (b) => GetStatusResponse.decode(b),
};

const codeName = (code: status): string => status[code] ?? String(code);

/** Problems with the answer to `c`; empty when it is a proper one. */
export function checkOutcome(c: FuzzCase, o: Outcome): string[] {
  const problems: string[] = [];
  const allowed = o.code === status.CANCELLED ? o.cancelledByClient : c.allowed.includes(o.code);
  if (!allowed) problems.push(`status ${codeName(o.code)} is not one this case allows (${c.allowed.map(codeName).join(', ')}): ${o.details.slice(0, 300)}`);
  if (o.code !== status.OK) {
    const bytes = Buffer.byteLength(o.details);
    if (o.details.trim() === '') problems.push('error details are empty');
    if (bytes > MAX_DETAILS_BYTES) problems.push(`error details are ${bytes} bytes (at most ${MAX_DETAILS_BYTES}): ${o.details.slice(0, 200)}…`);
    // A lone surrogate is what a string holding invalid UTF-8 looks like once decoded.
    if (/\p{Cs}/u.test(o.details)) problems.push('error details are not valid UTF-8');
    const says = SAYS[o.code];
    if (says !== undefined && !says.test(o.details)) problems.push(`${codeName(o.code)} details do not say what was wrong: ${o.details.slice(0, 300)}`);
    if (c.mention !== undefined && o.code !== status.CANCELLED && o.code !== status.DEADLINE_EXCEEDED && !c.mention.test(o.details)) {
      problems.push(`details do not mention ${c.mention}: ${o.details.slice(0, 300)}`);
    }
  }
  const decode = DECODERS[c.target.name];
  for (const message of o.messages) {
    try {
      decode?.(message);
    } catch (error) {
      problems.push(`a response message does not decode: ${String(error)}`);
    }
  }
  if (o.code === status.OK && c.maxPage !== undefined && o.messages[0] !== undefined) {
    const page = ListInstrumentsResponse.decode(o.messages[0]);
    if (page.instruments.length > c.maxPage) problems.push(`page of ${page.instruments.length} instruments for page size ${c.maxPage}`);
  }
  // Reflection answers every request of a stream the client half-closed.
  if (c.target.kind === 'bidi' && o.code === status.OK && o.messages.length !== c.plan.requests.length) {
    problems.push(`${o.messages.length} reflection responses to ${c.plan.requests.length} requests`);
  }
  return problems;
}
