import { z } from 'zod';
import { configSchema } from './config-schema.js';

// The schema seen as JSON Schema: a plain, documented tree to walk for error messages, environment
// variable names and the README's reference, instead of zod internals.

export interface SchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  pattern?: string;
  format?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  required?: string[];
  /** What a patterned string accepts, in words (set with `.meta({ accepted })` in the schema). */
  accepted?: string;
}

let cached: SchemaNode | undefined;

export function configJsonSchema(): SchemaNode {
  cached ??= z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as SchemaNode;
  return cached;
}

export const ENV_PREFIX = 'INSTRUMENTS_';

/** `server.tls.cert_file` → INSTRUMENTS_SERVER_TLS_CERT_FILE. */
export function envName(path: readonly string[]): string {
  return ENV_PREFIX + path.join('_').toUpperCase();
}

export interface Leaf {
  path: string[];
  node: SchemaNode;
  /** Set when the value can come from the environment (scalars, lists, and the exchange id list). */
  env: string | undefined;
}

const isObjectNode = (node: SchemaNode): boolean => node.properties !== undefined;

/** Every settable key, in schema order; maps (exchanges) are one leaf with `<id>` rows beneath. */
export function leaves(node: SchemaNode = configJsonSchema(), path: string[] = []): Leaf[] {
  if (isObjectNode(node)) {
    return Object.entries(node.properties ?? {}).flatMap(([key, child]) => leaves(child, [...path, key]));
  }
  const entries = typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined;
  if (entries !== undefined && isObjectNode(entries)) {
    // A map keyed by id: the map itself (a list of ids in env and flags), then its entries' keys.
    return [{ path, node, env: envName(path) }, ...leaves(entries, [...path, '<id>']).map((leaf) => ({ ...leaf, env: undefined }))];
  }
  const free = entries !== undefined; // free-form mapping (CCXT options): file only
  return [{ path, node, env: free ? undefined : envName(path) }];
}

/** The schema node at a path, following maps' entries. */
export function nodeAt(path: readonly (string | number)[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = configJsonSchema();
  for (const part of path) {
    if (node === undefined) return undefined;
    if (typeof part === 'number') node = node.items ?? node.anyOf?.find((n) => n.items)?.items;
    else if (node.properties !== undefined) node = node.properties[part];
    else node = typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined;
  }
  return node;
}

function typeText(node: SchemaNode): string {
  if (node.anyOf !== undefined) return node.anyOf.map(typeText).join(' or ');
  if (node.enum !== undefined) return `one of ${node.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  if (node.properties !== undefined) return `a mapping with keys ${Object.keys(node.properties).join(', ')}`;
  if (node.type === 'object') return 'a mapping';
  if (node.type === 'array') return `a list of ${node.items ? typeText(node.items).replace(/^an? /, '') : 'values'}s`;
  if (node.type === 'boolean') return 'true or false';
  if (node.type === 'integer' || node.type === 'number') {
    // zod's int() adds the safe-integer range, which says nothing to an operator.
    const max = node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER ? node.maximum : undefined;
    const min = node.minimum !== undefined && node.minimum > Number.MIN_SAFE_INTEGER ? node.minimum : undefined;
    const bounds = [min !== undefined ? `≥ ${min}` : '', max !== undefined ? `≤ ${max}` : ''].filter(Boolean).join(' and ');
    return `${node.type === 'integer' ? 'a whole number' : 'a number'}${bounds ? ` ${bounds}` : ''}`;
  }
  if (node.accepted !== undefined) return node.accepted;
  if (node.format === 'uri') return 'an http(s) URL';
  if (node.pattern !== undefined && node.pattern.includes('\\d{1,5}')) return 'a host:port address';
  return 'a non-empty string';
}

/** What a key accepts, in words: "a number ≥ 0.1", "one of "json", "pretty"". */
export function acceptedAt(path: readonly (string | number)[]): string {
  const node = nodeAt(path);
  return node === undefined ? 'nothing (not a known key)' : typeText(node);
}

export function keysAt(path: readonly (string | number)[]): string[] {
  return Object.keys(nodeAt(path)?.properties ?? {});
}
