import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { credentials } from '@grpc/grpc-js';
import { InstrumentServiceClient, SourceView, type DeepPartial, type InstrumentFilter } from '../../gen/ts/instruments/v1/instrument_service.js';
import type { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { REPO_ROOT } from '../support/demo-process.js';
import { rpcOf, type Rpc } from '../support/service-harness.js';
import { PATIENCE_MS } from '../support/wait-for.js';

// The TypeScript suites' handle on test/support/e2e-server.mjs, the same server process the Python
// and Go suites drive: one JSON line per event on stdout, one command per line on stdin.

export interface ServerEvent {
  event: string;
  address?: string;
  revision?: number;
  recording?: string;
  watchers?: number;
  message?: string;
}

export interface E2eServer {
  address: string;
  client: InstrumentServiceClient;
  rpc: Rpc;
  /** Sends one command (`use older`, `disconnect`, ...) and resolves with its answer line (one wait's patience). */
  command(line: string): Promise<ServerEvent>;
  stop(): Promise<number | null>;
}

/** Starts the server (built dist/ required) and waits (one wait's patience) for its ready line: every exchange loaded. */
export async function startE2eServer(env: NodeJS.ProcessEnv = {}, timeoutMs = PATIENCE_MS): Promise<E2eServer> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'test/support/e2e-server.mjs')], {
    cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env },
  });
  const stderr: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Commands are answered in order, one line each: the oldest waiter takes the next line.
  const answers: Array<(event: ServerEvent) => void> = [];
  let onReady: ((event: ServerEvent) => void) | undefined;
  createInterface({ input: child.stdout }).on('line', (line) => {
    const event = JSON.parse(line) as ServerEvent;
    if (event.event === 'ready') onReady?.(event);
    else answers.shift()?.(event);
  });
  const ready = await new Promise<ServerEvent>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`waited ${timeoutMs} ms for the e2e server's ready line: ${stderr.join('')}`)), timeoutMs);
    void exited.then((code) => reject(new Error(`e2e server exited with ${code}: ${stderr.join('')}`)));
    onReady = (event) => {
      clearTimeout(timer);
      resolve(event);
    };
  });
  const address = ready.address as string;
  const client = new InstrumentServiceClient(address, credentials.createInsecure());
  return {
    address, client, rpc: rpcOf(client),
    command: (line) => new Promise((resolve, reject) => {
      // A command left unanswered fails the test; its late answer would go to the wrong waiter, so
      // the server is of no further use then either.
      const timer = setTimeout(() => reject(new Error(`waited ${PATIENCE_MS} ms for the e2e server to answer "${line}": ${stderr.join('').slice(-2000)}`)), PATIENCE_MS);
      answers.push((event) => {
        clearTimeout(timer);
        resolve(event);
      });
      child.stdin.write(`${line}\n`);
    }),
    stop: async () => {
      client.close();
      child.stdin.end('stop\n');
      return exited;
    },
  };
}

/** Every page of a live ListInstruments read; throws if the pages were read at different revisions. */
export async function listAll(rpc: Rpc, filter: DeepPartial<InstrumentFilter> = {}, pageSize = 250): Promise<{ instruments: InstrumentDefinition[]; revision: number; pages: number }> {
  const instruments: InstrumentDefinition[] = [];
  const revisions = new Set<number>();
  let pageToken = '';
  let pages = 0;
  do {
    const page = await rpc.listInstruments({ filter, pageSize, pageToken, view: SourceView.SOURCE_VIEW_LIVE });
    instruments.push(...page.instruments);
    revisions.add(page.revision);
    pageToken = page.nextPageToken;
    pages += 1;
  } while (pageToken !== '');
  if (revisions.size !== 1) throw new Error(`pages read at revisions ${[...revisions].join(', ')}: the store moved while listing`);
  return { instruments, revision: [...revisions][0] as number, pages };
}

export const byKey = (a: InstrumentDefinition, b: InstrumentDefinition): number =>
  (a.instrumentKey < b.instrumentKey ? -1 : a.instrumentKey > b.instrumentKey ? 1 : 0);
