import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

import type { InstrumentDefinition } from '../../../gen/ts/instruments/v1/instrument.js';
import { tardisToDefinition } from '../../domain/tardis-definition.js';
import type { TardisInstrument } from '../../domain/tardis-instrument.js';

export type { TardisInstrument } from '../../domain/tardis-instrument.js';

// Reads Tardis.dev instrument records (the instruments-metadata API's JSON: one object, or the
// list endpoint's array) from a file, a directory of such files, or the API itself.

export interface LoadTardisOptions {
  /** data_provider of the definitions; default "tardis". */
  dataProvider?: string;
  /** For http(s) sources; default the global fetch. */
  fetch?: typeof fetch;
}

export interface TardisLoad {
  /** Every record read, with its `changes`, for as-of lookups (tardisDefinitionAsOf). */
  records: TardisInstrument[];
  /** The current definition of each record that converts. */
  definitions: InstrumentDefinition[];
  /** Records that do not convert: their id (or where they were, when they have none) and why. */
  rejected: Array<{ id: string; reason: string }>;
}

const DEFAULT_TARDIS_PROVIDER = 'tardis';

function parseJson(text: string, origin: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${origin}: malformed JSON: ${(error as Error).message}`, { cause: error });
  }
}

async function fetchJson(url: string, fetchFn: typeof fetch): Promise<unknown> {
  let response: Response;
  try {
    response = await fetchFn(url, { headers: { accept: 'application/json' } });
  } catch (error) {
    throw new Error(`GET ${url} failed: ${(error as Error).message}`, { cause: error });
  }
  if (!response.ok) throw new Error(`GET ${url} answered HTTP ${response.status} ${response.statusText}`.trimEnd());
  return parseJson(await response.text(), url);
}

/** The JSON documents of a source, each with where it came from. */
async function documentsOf(source: string, fetchFn: typeof fetch): Promise<Array<{ origin: string; value: unknown }>> {
  if (/^https?:\/\//i.test(source)) return [{ origin: source, value: await fetchJson(source, fetchFn) }];
  if (!(await stat(source)).isDirectory()) return [{ origin: source, value: parseJson(await readFile(source, 'utf8'), source) }];
  // index.json is a fixture set's URL map, not a record.
  const files = (await readdir(source)).filter((f) => f.endsWith('.json') && f !== 'index.json').sort();
  return Promise.all(files.map(async (f) => {
    const file = path.join(source, f);
    return { origin: file, value: parseJson(await readFile(file, 'utf8'), file) };
  }));
}

/** Loads records from a file, a directory (every *.json but index.json) or an http(s) URL. */
export async function loadTardisDefinitions(source: string, options: LoadTardisOptions = {}): Promise<TardisLoad> {
  const dataProvider = options.dataProvider ?? DEFAULT_TARDIS_PROVIDER;
  const result: TardisLoad = { records: [], definitions: [], rejected: [] };
  for (const { origin, value } of await documentsOf(source, options.fetch ?? fetch)) {
    const items: unknown[] = Array.isArray(value) ? value : [value];
    items.forEach((item, i) => {
      const where = Array.isArray(value) ? `${origin}[${i}]` : origin;
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        result.rejected.push({ id: where, reason: 'not an instrument object' });
        return;
      }
      const record = item as TardisInstrument;
      result.records.push(record);
      const converted = tardisToDefinition(record, { dataProvider });
      if (converted.ok) result.definitions.push(converted.definition);
      else result.rejected.push({ id: typeof record.id === 'string' && record.id !== '' ? record.id : where, reason: converted.reason });
    });
  }
  return result;
}
