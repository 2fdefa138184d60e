import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// CCXT's exchange ids without importing CCXT: the import costs ~400 ms, and the main thread only
// needs the ids (to validate configuration); markets are loaded on worker threads. In the pinned
// CCXT each exchange class is one file js/src/<id>.js; test/adapters/exchange-ids.test.ts checks
// that this list equals ccxt.exchanges, so a CCXT upgrade that changes the layout fails loudly.
let ids: string[] | undefined;

export function ccxtExchangeIds(): string[] {
  if (ids === undefined) {
    const entry = createRequire(import.meta.url).resolve('ccxt');
    let root = dirname(entry);
    while (!root.endsWith('ccxt')) root = dirname(root);
    ids = readdirSync(join(root, 'js', 'src')).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3)).sort();
  }
  return [...ids];
}

export function isCcxtExchange(id: string): boolean {
  return ccxtExchangeIds().includes(id);
}
