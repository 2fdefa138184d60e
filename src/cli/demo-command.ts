import { parseArgs } from 'node:util';
import { startReplayServer } from '../adapters/replay/index.js';
import { DEFAULT_CONFIG, type ServiceConfig } from '../app/config.js';
import { DEFAULT_FIXTURES } from './replay-command.js';
import { runService } from './serve-command.js';

export const DEMO_USAGE = `instruments demo [--listen HOST:PORT] [--fixtures DIR]
  Fully offline: starts the replay exchange on the recorded responses and serves every recorded
  exchange through real CCXT (default listen 127.0.0.1:50051).`;

export async function demoCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { listen: { type: 'string' }, fixtures: { type: 'string' }, 'log-level': { type: 'string' } } });
  const replay = await startReplayServer({ fixturesDir: values.fixtures ?? DEFAULT_FIXTURES() });
  const ids = replay.prefixes().filter((prefix) => replay.exchangeFor(prefix) === prefix);
  const config: ServiceConfig = {
    ...DEFAULT_CONFIG,
    listen: values.listen ?? DEFAULT_CONFIG.listen,
    logLevel: values['log-level'] ?? DEFAULT_CONFIG.logLevel,
    proxyUrl: replay.url,
    exchanges: Object.fromEntries(ids.map((id) => [id, { ccxt: replay.ccxtOptionsFor(id), sandbox: false }])),
  };
  return runService(config, () => replay.close());
}
