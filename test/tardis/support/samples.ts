import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { TardisInstrument } from '../../../src/domain/tardis-instrument.js';
import { parseLossless, type RawObject } from '../../conversion/support/raw-fixture.js';
import { TARDIS_DIR } from '../../support/fixtures.js';

/** The Tardis sample files (index.json is the fixture set's URL map, not a record). */
export const SAMPLE_FILES = readdirSync(TARDIS_DIR).filter((f) => f.endsWith('.json') && f !== 'index.json').sort();

export interface Sample {
  file: string;
  /** As the converter gets it (JSON.parse). */
  record: TardisInstrument;
  /** The same file with every number kept as its source text, for exact expectations. */
  raw: RawObject;
}

export function readSample(file: string): Sample {
  const text = readFileSync(path.join(TARDIS_DIR, file), 'utf8');
  return { file, record: JSON.parse(text) as TardisInstrument, raw: parseLossless(text) as RawObject };
}

/** A raw scalar as its source text; undefined when absent. */
export function rawText(o: RawObject, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}
