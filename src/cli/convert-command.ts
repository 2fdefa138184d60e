import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ccxtExchangeIds, isCcxtExchange } from '../adapters/ccxt/exchange-ids.js';
import { similarNames } from '../domain/close-matches.js';
import { UsageError } from './cli-options.js';
import { definitionLines, write } from './sync-command.js';

export const CONVERT_USAGE = `instruments convert --exchange ID [--markets FILE|-]
  Converts CCXT unified markets (what exchange.markets holds in any CCXT language, dumped as JSON:
  an object keyed by symbol, or an array) with the pinned CCXT class ID's precision mode, offline.
  Prints one InstrumentDefinition per line exactly as sync --once does; refused markets go to
  stderr with their reason (exit 0). Reads stdin without --markets or with -.`;

function readInput(file: string): string {
  try {
    return file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(`cannot read ${file === '-' ? 'stdin' : file}: ${code}`);
  }
}

function marketsOf(text: string, source: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not JSON: ${(error as Error).message.split('\n')[0] ?? ''}`);
  }
  if (Array.isArray(parsed)) return parsed;
  if (typeof parsed === 'object' && parsed !== null) return Object.values(parsed);
  throw new UsageError(`${source} holds ${parsed === null ? 'null' : typeof parsed}; expected CCXT markets: an object keyed by symbol or an array`);
}

export async function convertCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { exchange: { type: 'string' }, markets: { type: 'string', default: '-' } } });
  const id = values.exchange;
  if (id === undefined) throw new UsageError('--exchange ID is required (a CCXT exchange id, e.g. binance)');
  if (!isCcxtExchange(id)) {
    const near = similarNames(id, ccxtExchangeIds());
    throw new UsageError(`--exchange: "${id}" is not a CCXT exchange id${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}`);
  }
  const source = values.markets === '-' ? 'stdin' : values.markets;
  const markets = marketsOf(readInput(values.markets), source);
  // Imported here: CCXT takes ~400 ms to import, which a usage error should not pay.
  const [{ createExchange }, { convertContextOf, convertMarkets }] = await Promise.all([
    import('../adapters/ccxt/create-exchange.js'),
    import('../adapters/ccxt/load-definitions.js'),
  ]);
  // The class only, for its precision mode: no credentials, no request.
  const exchange = createExchange(id, {}, {});
  const now = new Date();
  const { definitions, rejected } = convertMarkets(markets, convertContextOf(exchange, now));
  const lines = definitionLines(definitions, now);
  if (lines.length > 0) await write(`${lines.join('\n')}\n`);
  for (const r of rejected) process.stderr.write(`convert: ${r.symbol || '(no symbol)'}: ${r.reason}\n`);
  process.stderr.write(`convert: ${id}: ${lines.length} instruments${rejected.length ? `, ${rejected.length} markets refused` : ''}\n`);
  return 0;
}
