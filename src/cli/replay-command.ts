import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../adapters/package-root.js';
import { startReplayServer } from '../adapters/replay/index.js';
import { UsageError } from './cli-options.js';

export const REPLAY_USAGE = `instruments replay [--fixtures DIR] [--port N] [--host H]
  Serves recorded exchange responses on 127.0.0.1 for CCXT's proxyUrl (default DIR: the
  package's test/fixtures/exchanges). Point exchanges at it with --proxy-url http://127.0.0.1:N/.`;

export const DEFAULT_FIXTURES = (): string => join(packageRoot(), 'test', 'fixtures', 'exchanges');

export function parsePort(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${text} is not a port number (0-65535)`);
  return port;
}

export async function replayCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { fixtures: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } } });
  const server = await startReplayServer({
    fixturesDir: values.fixtures ?? DEFAULT_FIXTURES(),
    port: parsePort(values.port, 8787),
    host: values.host ?? '127.0.0.1',
  });
  process.stdout.write(`replay: serving ${server.prefixes().join(', ')} at ${server.url} (use --proxy-url ${server.url})\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return 0;
}
