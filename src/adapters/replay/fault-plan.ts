import type { ReplayFault } from './replay-fault.js';
import type { ReplayResponse } from './replay-response.js';

export interface ResponseHead {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | number>>;
}

/** What the HTTP layer does for a faulted request; everything else about the fault is decided here. */
export type FaultPlan =
  | { readonly kind: 'send'; readonly head: ResponseHead; readonly body: Buffer }
  | { readonly kind: 'hang' }
  /** Send `head` (announcing the full length) and `body` (only part of it), then reset the socket. */
  | { readonly kind: 'reset'; readonly head: ResponseHead; readonly body: Buffer }
  | { readonly kind: 'trickle'; readonly head: ResponseHead; readonly body: Buffer; readonly chunkBytes: number; readonly intervalMs: number };

const HTML_ERROR_PAGE = '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n' +
  '<body><h1>502 Bad Gateway</h1><p>The server is temporarily unable to service your request. Please try again later.</p></body></html>\n';

function head(status: number, contentType: string, length: number, extra: Readonly<Record<string, string>> = {}): ResponseHead {
  return { status, headers: { ...extra, 'content-type': contentType, 'content-length': length } };
}

function send(status: number, contentType: string, body: Buffer, extra?: Readonly<Record<string, string>>): FaultPlan {
  return { kind: 'send', head: head(status, contentType, body.length, extra), body };
}

/** How to answer a request whose URL has `fault`, given what it would be answered with otherwise. */
export function planFault(fault: ReplayFault, recorded: ReplayResponse): FaultPlan {
  switch (fault.kind) {
    case 'status': {
      const body = Buffer.from(fault.body ?? `replay fault: HTTP ${fault.status}\n`);
      const json = /^\s*[[{]/.test(body.toString('utf8', 0, 16));
      return send(fault.status, fault.contentType ?? (json ? 'application/json' : 'text/plain; charset=utf-8'), body, fault.headers);
    }
    case 'hang':
      return { kind: 'hang' };
    case 'reset': {
      const fraction = fault.fraction ?? 0.5;
      const sent = recorded.body.subarray(0, Math.floor(recorded.body.length * fraction));
      return { kind: 'reset', head: head(recorded.status, recorded.contentType, recorded.body.length), body: sent };
    }
    case 'malformed-json':
      return send(200, recorded.contentType, recorded.body.subarray(0, Math.floor(recorded.body.length / 2)));
    case 'html':
      return send(200, 'text/html; charset=utf-8', Buffer.from(fault.body ?? HTML_ERROR_PAGE));
    case 'empty':
      return send(200, recorded.contentType, Buffer.alloc(0));
    case 'truncated-list':
      return send(recorded.status, recorded.contentType, truncateMarketList(recorded.body, fault.keep ?? 0.1));
    case 'trickle':
      return {
        kind: 'trickle', head: head(recorded.status, recorded.contentType, recorded.body.length), body: recorded.body,
        chunkBytes: fault.chunkBytes ?? 64, intervalMs: fault.intervalMs ?? 100,
      };
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (value: Json | undefined): value is { [key: string]: Json } =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Size of `value` as a collection of records (an array of objects, or an object of objects), else 0. */
function recordCount(value: Json): number {
  if (Array.isArray(value)) return value.length > 0 && value.every(isObject) ? value.length : 0;
  if (!isObject(value)) return 0;
  const entries = Object.values(value);
  return entries.length > 1 && entries.every(isObject) ? entries.length : 0;
}

function largestCollection(value: Json, best: { node: Json; size: number } = { node: null, size: 0 }): { node: Json; size: number } {
  const size = recordCount(value);
  if (size > best.size) best = { node: value, size };
  const children = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [];
  for (const child of children) best = largestCollection(child, best);
  return best;
}

/**
 * The recorded JSON with only the first `keep` share of its largest collection of records left:
 * the market list, whatever the exchange calls it (binance `symbols`, dYdX `markets`, okx `data`).
 * Re-serialised with JSON.stringify, so integers beyond 2^53 would lose digits (none in market lists).
 */
export function truncateMarketList(body: Buffer, keep: number): Buffer {
  if (!(keep >= 0 && keep <= 1)) throw new RangeError(`replay: truncated-list keep must be in [0, 1], got ${keep}`);
  const root = JSON.parse(body.toString('utf8')) as Json;
  const { node, size } = largestCollection(root);
  if (size === 0) throw new Error('replay: truncated-list found no list of records in the body');
  const kept = Math.floor(size * keep);
  if (Array.isArray(node)) node.splice(kept);
  else if (isObject(node)) for (const key of Object.keys(node).slice(kept)) delete node[key];
  return Buffer.from(JSON.stringify(root), 'utf8');
}
