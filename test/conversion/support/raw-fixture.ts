import { readFileSync } from 'node:fs';
import path from 'node:path';

import { EXCHANGES_DIR, readRawJson } from '../../support/fixtures.js';

/**
 * A JSON value as the exchange wrote it, with every JSON number kept as its source text
 * ("0.0001", "1e-05", "100"): parsing into a double and printing it back can change the digits,
 * and the tests compare exact decimals. Raw strings stay strings, so "100" and 100 read the same.
 */
export type RawValue = string | boolean | null | RawValue[] | RawObject;
export interface RawObject {
  [key: string]: RawValue;
}

// Strings are matched first and kept; a number outside a string is wrapped in quotes.
const TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/** Parses JSON text, turning each number into the string of its source digits. */
export function parseLossless(text: string): RawValue {
  return JSON.parse(text.replace(TOKEN, (token) => (token.startsWith('"') ? token : `"${token}"`))) as RawValue;
}

interface IndexEntry {
  file: string;
}

/** The body recorded for `url` in `exchanges/<id>/index.json`, parsed losslessly. */
export function readRecorded(id: string, url: string): RawValue {
  const index = readRawJson<{ urls: Record<string, IndexEntry> }>(`exchanges/${id}/index.json`);
  const entry = index.urls[url];
  if (entry === undefined) throw new Error(`exchanges/${id}/index.json records no ${url}`);
  return parseLossless(readFileSync(path.join(EXCHANGES_DIR, id, entry.file), 'utf8'));
}

export function isObject(v: RawValue | undefined): v is RawObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function objectAt(v: RawValue | undefined, key: string): RawObject {
  if (!isObject(v)) throw new Error(`expected an object holding "${key}"`);
  const inner = v[key];
  if (!isObject(inner)) throw new Error(`"${key}" is not an object`);
  return inner;
}

export function listAt(v: RawValue | undefined, key: string): RawObject[] {
  if (!isObject(v)) throw new Error(`expected an object holding "${key}"`);
  const inner = v[key];
  if (!Array.isArray(inner) || !inner.every(isObject)) throw new Error(`"${key}" is not a list of objects`);
  return inner as RawObject[];
}

/** A raw scalar as text; undefined when missing, null or "" (the exchange gave no value). */
export function text(o: RawObject | undefined, key: string): string | undefined {
  const v = o?.[key];
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'boolean') return String(v);
  return undefined;
}
