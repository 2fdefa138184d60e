import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** One recorded response, as described by an `index.json` entry. */
export interface RecordedEntry {
  readonly file: string;
  readonly status: number;
  readonly contentType: string;
  /** Content hash from the index; used to tell whether two sets record the same bytes. */
  readonly sha256: string | null;
}

/** The parsed `index.json` of one fixture set (see test/fixtures/exchanges/README.md). */
export interface FixtureIndex {
  /** CCXT exchange id (the `exchange` field); null for non-exchange sets such as tardis. */
  readonly exchange: string | null;
  /** Constructor config to merge in besides `proxyUrl` (okx needs `defaultUnderlying`). */
  readonly ccxtOptions: Readonly<Record<string, unknown>>;
  /** Original URL (decoded, query in the order ccxt sends it) → recorded entry. */
  readonly urls: ReadonlyMap<string, RecordedEntry>;
}

export const INDEX_FILE = 'index.json';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseEntry(url: string, raw: unknown, where: string): RecordedEntry {
  if (!isRecord(raw) || typeof raw['file'] !== 'string') {
    throw new Error(`${where}: entry for ${url} has no "file"`);
  }
  // A body file must stay inside its set; the index is data, not trusted code.
  const file = raw['file'];
  if (path.isAbsolute(file) || file.split(/[\\/]/).includes('..')) {
    throw new Error(`${where}: entry for ${url} points outside the set: ${file}`);
  }
  const status = typeof raw['status'] === 'number' ? raw['status'] : 200;
  const contentType =
    typeof raw['contentType'] === 'string' ? raw['contentType'] : 'application/json';
  const sha256 = typeof raw['sha256'] === 'string' ? raw['sha256'] : null;
  return { file, status, contentType, sha256 };
}

/** Validates the parsed JSON of an index file; throws naming `where` on malformed input. */
export function parseFixtureIndex(json: unknown, where: string): FixtureIndex {
  if (!isRecord(json) || !isRecord(json['urls'])) {
    throw new Error(`${where}: not a fixture index (no "urls" object)`);
  }
  const urls = new Map<string, RecordedEntry>();
  for (const [url, raw] of Object.entries(json['urls'])) {
    urls.set(url, parseEntry(url, raw, where));
  }
  const exchange = typeof json['exchange'] === 'string' ? json['exchange'] : null;
  const ccxtOptions = isRecord(json['ccxtOptions']) ? json['ccxtOptions'] : {};
  return { exchange, ccxtOptions, urls };
}

/** Reads and validates `<setDir>/index.json`. */
export async function readFixtureIndex(setDir: string): Promise<FixtureIndex> {
  const where = path.join(setDir, INDEX_FILE);
  const text = await readFile(where, 'utf8');
  return parseFixtureIndex(JSON.parse(text) as unknown, where);
}
