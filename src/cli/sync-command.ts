import { parseArgs } from 'node:util';
import { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { statusAt } from '../domain/status-at.js';
import { COMMON_OPTIONS, resolveConfig, UsageError } from './cli-options.js';
import { syncContinuously } from './sync-continuously.js';

export const SYNC_USAGE = `instruments sync [--once] [--config FILE] [--exchanges a,b] [--proxy-url URL] [--refresh-interval SECONDS] [--format jsonl]
  --once: loads every configured exchange once and prints one InstrumentDefinition per line (proto3
  JSON, the field names grpcurl shows); exits 1 naming each exchange that failed. Without --once:
  keeps refreshing and prints each change batch as one JSON line until SIGINT/SIGTERM.`;

export async function write(text: string): Promise<void> {
  if (!process.stdout.write(text)) await new Promise((resolve) => process.stdout.once('drain', resolve));
}

/** The output of `sync --once` (and `convert`): one proto3 JSON definition per line, by key. */
export function definitionLines(definitions: readonly InstrumentDefinition[], at: Date): string[] {
  return [...definitions]
    .sort((a, b) => (a.instrumentKey < b.instrumentKey ? -1 : 1))
    // As the service would serve them at `at`: a contract past its expiry is EXPIRED there too.
    .map((d) => JSON.stringify(InstrumentDefinition.toJSON(statusAt(d, at))));
}

export async function syncCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { ...COMMON_OPTIONS, once: { type: 'boolean', default: false }, format: { type: 'string', default: 'jsonl' }, 'refresh-interval': { type: 'string' } },
  });
  if (values.format !== 'jsonl') throw new UsageError(`--format ${values.format} is not supported; accepted: jsonl`);
  const config = resolveConfig(values);
  if (!values.once) return syncContinuously(config);
  // Imported here: CCXT takes ~400 ms to import, which the other commands should not pay.
  const [{ createExchange }, { loadDefinitions }] = await Promise.all([
    import('../adapters/ccxt/create-exchange.js'),
    import('../adapters/ccxt/load-definitions.js'),
  ]);
  const ids = Object.keys(config.exchanges);
  const results = await Promise.allSettled(ids.map(async (id) => {
    const settings = config.exchanges[id] ?? { ccxt: {}, sandbox: false };
    const exchange = createExchange(id, { ...settings, ...(config.proxyUrl ? { proxyUrl: config.proxyUrl } : {}) });
    return loadDefinitions(exchange);
  }));
  const failures: string[] = [];
  for (const [i, result] of results.entries()) {
    const id = ids[i] as string;
    if (result.status === 'rejected') {
      const reason = result.reason instanceof Error ? `${result.reason.constructor.name}: ${result.reason.message}` : String(result.reason);
      failures.push(`${id} (${reason.slice(0, 300)})`);
      continue;
    }
    const lines = definitionLines(result.value.definitions, result.value.receivedAt);
    if (lines.length > 0) await write(`${lines.join('\n')}\n`);
    process.stderr.write(`sync: ${id}: ${lines.length} instruments${result.value.rejected.length ? `, ${result.value.rejected.length} markets not converted` : ''}\n`);
  }
  if (failures.length > 0) {
    process.stderr.write(`sync: failed for ${failures.length} of ${ids.length} exchanges: ${failures.join('; ')}\n`);
    return 1;
  }
  return 0;
}
