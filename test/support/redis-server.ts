import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { notYet, waitFor } from './wait-for.js';

/**
 * A real redis-server of the test's own (installed by the test setup from Debian's packages, or
 * found on PATH) on a free loopback port, persisting every write before answering it
 * (appendfsync always), as Redis mode's README asks of production, so a restart loses nothing
 * acknowledged.
 */
export interface TestRedis {
  port: number;
  url: string;
  /** A client of the test's own, for looking at (and tampering with) the shared state. */
  client(): Redis;
  /** SIGKILL (no shutdown save: only the append-only file survives), then start again on the same port. */
  restart(): Promise<void>;
  kill(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** redis-server on PATH, else Debian's; the test setup (scripts/ensure-tools.mjs) installs it. */
function redisServerBinary(): string {
  const found = [...(process.env['PATH'] ?? '').split(':').filter(Boolean).map((dir) => join(dir, 'redis-server')), '/usr/bin/redis-server'].find((p) => existsSync(p));
  if (found === undefined) throw new Error('redis-server is missing: run "node scripts/ensure-tools.mjs --only redis" (npm test does)');
  return found;
}

export async function startRedis(): Promise<TestRedis> {
  const binary = redisServerBinary();
  const dir = mkdtempSync(join(tmpdir(), 'redis-'));
  const port = await freePort();
  const clients: Redis[] = [];
  let child: ChildProcess | undefined;
  let output = '';
  const start = async (): Promise<void> => {
    output = '';
    const proc = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--daemonize', 'no', '--loglevel', 'warning'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout?.on('data', (b: Buffer) => { output += b.toString(); });
    proc.stderr?.on('data', (b: Buffer) => { output += b.toString(); });
    // Ready when it answers PING (the append-only file is loaded by then); an exit ends the wait.
    const ready = await waitFor(async () => {
      if (proc.exitCode !== null) return 'exited';
      const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        const answer = await probe.ping();
        return answer === 'PONG' ? 'ready' : notYet(answer);
      } finally {
        probe.disconnect();
      }
    }, `redis-server to answer PING on port ${port}`, { everyMs: 50 }).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n${output}`);
    });
    if (ready === 'exited') throw new Error(`redis-server exited with ${proc.exitCode}:\n${output}`);
  };
  const kill = async (): Promise<void> => {
    const proc = child;
    // A process ended by a signal has exitCode null and signalCode set.
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    client: () => {
      const client = new Redis({ port, host: '127.0.0.1' });
      client.on('error', () => undefined);
      clients.push(client);
      return client;
    },
    restart: async () => {
      await kill();
      await start();
    },
    kill,
    start,
    close: async () => {
      for (const client of clients) client.disconnect();
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
