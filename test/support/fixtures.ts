import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Resolved from this file, not the working directory, so tests run from any cwd.
const here = path.dirname(fileURLToPath(import.meta.url));

/** test/fixtures: recorded data copied from the shared fixture set (read-only by convention). */
export const FIXTURES_DIR = path.resolve(here, '..', 'fixtures');
/** Undated exchange recordings, one folder per ccxt id (a replay-server root). */
export const EXCHANGES_DIR = path.join(FIXTURES_DIR, 'exchanges');
/** Dated recordings, one folder per `<ccxt-id>@<YYYY-MM-DD>` (a replay-server root). */
export const EXCHANGES_DATED_DIR = path.join(FIXTURES_DIR, 'exchanges-dated');
/** tardis.dev instruments-API samples (itself one fixture set with an index.json). */
export const TARDIS_DIR = path.join(FIXTURES_DIR, 'tardis');
/** CCXT's own unified market samples (`<exchange-id>.json`). */
export const UNIFIED_MARKETS_DIR = path.join(FIXTURES_DIR, 'ccxt-unified-markets');

/** Parses a JSON fixture by its path relative to FIXTURES_DIR, e.g. `exchanges/okx/index.json`. */
export function readRawJson<T = unknown>(relPath: string): T {
  const absolute = path.resolve(FIXTURES_DIR, relPath);
  if (path.relative(FIXTURES_DIR, absolute).startsWith('..')) {
    throw new Error(`readRawJson: ${relPath} is outside ${FIXTURES_DIR}`);
  }
  return JSON.parse(readFileSync(absolute, 'utf8')) as T;
}
