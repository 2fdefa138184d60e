import { parseArgs } from 'node:util';
import { startReplayServer } from '../adapters/replay/index.js';
import type { ServiceConfig } from '../app/config.js';
import { COMMON_OPTIONS, resolveConfig } from './cli-options.js';
import { DEFAULT_FIXTURES } from './replay-command.js';
import { runService } from './serve-command.js';

export const DEMO_USAGE = `instruments demo [--listen HOST:PORT] [--fixtures DIR]
  Fully offline: starts the replay exchange on the recorded responses and serves every recorded
  exchange through real CCXT (default listen 127.0.0.1:50051).`;

export async function demoCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...COMMON_OPTIONS, listen: { type: 'string' }, fixtures: { type: 'string' } } });
  // The demo's own exchanges and proxy; everything else (ports, auth, logs) as configured.
  const base = resolveConfig(values);
  const replay = await startReplayServer({ fixturesDir: values.fixtures ?? DEFAULT_FIXTURES() });
  const ids = replay.prefixes().filter((prefix) => replay.exchangeFor(prefix) === prefix);
  const config: ServiceConfig = {
    ...base,
    dataDir: undefined,
    proxyUrl: replay.url,
    exchanges: Object.fromEntries(ids.map((id) => [id, { ccxt: replay.ccxtOptionsFor(id), sandbox: false }])),
  };
  return runService(config, () => replay.close());
}
