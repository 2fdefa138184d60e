import { credentials } from '@grpc/grpc-js';
import { InstrumentServiceClient, WatchChangesRequest, type DeepPartial, type WatchChangesResponse } from '../../gen/ts/instruments/v1/instrument_service.js';
import type { ExchangeStatusSource } from '../../src/rpc/rpc-context.js';
import { DEFAULT_WATCH_SETTINGS, type WatchSettings } from '../../src/rpc/watch-changes.js';
import { startGrpcServer, type RunningServer } from '../../src/server/grpc-server.js';
import { InstrumentStore, DEFAULT_HISTORY } from '../../src/store/instrument-store.js';
import type { HistoryLimits } from '../../src/store/change-history.js';
import { PATIENCE_MS } from './wait-for.js';

/** The real gRPC server over a store the test feeds directly, for stream mechanics. */
export interface StoreHarness {
  store: InstrumentStore;
  server: RunningServer;
  client: InstrumentServiceClient;
  address: string;
  close(): Promise<void>;
}

export async function startStoreHarness(watch: Partial<WatchSettings> = {}, history: HistoryLimits = DEFAULT_HISTORY): Promise<StoreHarness> {
  const store = new InstrumentStore(history);
  const exchanges: ExchangeStatusSource = {
    statuses: () => [],
    known: () => ({ venues: new Set(['TEST-VENUE']), ccxtExchanges: new Set(['testex']) }),
  };
  const server = await startGrpcServer('127.0.0.1:0', { store, exchanges }, () => {}, { ...DEFAULT_WATCH_SETTINGS, ...watch });
  const address = `127.0.0.1:${server.port}`;
  const client = new InstrumentServiceClient(address, credentials.createInsecure());
  // close()'s grace (teardown, not a wait): streams a test left open are forced shut after it.
  return { store, server, client, address, close: async () => { client.close(); await server.close(500); } };
}

/** A watch whose messages are collected; `next(n)` waits for n more (default: one wait's patience). */
export interface Watch {
  messages: WatchChangesResponse[];
  stream: ReturnType<InstrumentServiceClient['watchChanges']>;
  next(count?: number, timeoutMs?: number): Promise<WatchChangesResponse[]>;
  status(): Promise<{ code: number; details: string }>;
}

export function watch(client: InstrumentServiceClient, request: DeepPartial<WatchChangesRequest>): Watch {
  const stream = client.watchChanges(WatchChangesRequest.fromPartial(request));
  const messages: WatchChangesResponse[] = [];
  let consumed = 0;
  let waiter: (() => void) | undefined;
  stream.on('data', (m: WatchChangesResponse) => {
    messages.push(m);
    waiter?.();
  });
  const ended = new Promise<{ code: number; details: string }>((resolve) => {
    stream.on('error', (e: { code: number; details: string }) => resolve({ code: e.code, details: e.details }));
    stream.on('status', (s: { code: number; details: string }) => resolve({ code: s.code, details: s.details }));
  });
  return {
    messages,
    stream,
    status: () => ended,
    next: (count = 1, timeoutMs = PATIENCE_MS) => new Promise((resolve, reject) => {
      const target = consumed + count;
      const timer = setTimeout(() => reject(new Error(`waited ${timeoutMs} ms for ${count} more messages, have ${messages.length - consumed}: ${JSON.stringify(messages.slice(consumed)).slice(0, 500)}`)), timeoutMs);
      const check = (): void => {
        if (messages.length >= target) {
          clearTimeout(timer);
          waiter = undefined;
          const got = messages.slice(consumed, target);
          consumed = target;
          resolve(got);
        }
      };
      waiter = check;
      check();
    }),
  };
}
