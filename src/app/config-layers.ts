import { similarNames } from '../domain/close-matches.js';
import { ENV_PREFIX, leaves, nodeAt, type SchemaNode } from './config-reference.js';
import { ConfigError } from './config.js';

// File < environment < flags: each layer writes raw values into the file's tree before the one
// schema validation, remembering where each value came from so an error can say so.

export type RawConfig = Record<string, unknown>;

/** Environment variables that are secrets or pointers, not settings. */
export const NON_SETTING_ENV = ['INSTRUMENTS_AUTH_TOKENS', 'INSTRUMENTS_WEBHOOK_SECRET', 'INSTRUMENTS_CONFIG'];

export class Origins {
  private readonly byPath = new Map<string, string>();

  constructor(private readonly base: string) {}

  set(path: readonly string[], origin: string): void {
    this.byPath.set(path.join('.'), origin);
  }

  /** The layer that set this path or its nearest parent. */
  of(path: readonly (string | number)[]): string {
    for (let n = path.length; n > 0; n--) {
      const origin = this.byPath.get(path.slice(0, n).join('.'));
      if (origin !== undefined) return origin;
    }
    return this.base;
  }
}

const isMap = (node: SchemaNode | undefined): boolean => typeof node?.additionalProperties === 'object' && node.additionalProperties.properties !== undefined;
const accepts = (node: SchemaNode, type: string): boolean => node.type === type || (node.anyOf ?? []).some((n) => accepts(n, type));

/** Text from env or a flag → the type the key takes; what cannot be read stays text for the schema to refuse. */
function coerce(text: string, node: SchemaNode): unknown {
  const trimmed = text.trim();
  if (accepts(node, 'array')) return trimmed.split(',').map((s) => s.trim()).filter(Boolean);
  if ((accepts(node, 'number') || accepts(node, 'integer')) && trimmed !== '' && Number.isFinite(Number(trimmed))) return Number(trimmed);
  if (accepts(node, 'boolean') && /^(true|false)$/i.test(trimmed)) return trimmed.toLowerCase() === 'true';
  return trimmed;
}

function setAt(raw: RawConfig, path: readonly string[], value: unknown): void {
  let node: RawConfig = raw;
  for (const part of path.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as RawConfig;
  }
  node[path[path.length - 1] as string] = value;
}

function getAt(raw: RawConfig, path: readonly string[]): unknown {
  let node: unknown = raw;
  for (const part of path) node = typeof node === 'object' && node !== null ? (node as RawConfig)[part] : undefined;
  return node;
}

/** Sets one key from text; a map of ids (live.exchanges) takes a list and keeps the file's entries. */
export function setFromText(raw: RawConfig, path: readonly string[], text: string, origin: string, origins: Origins): void {
  const node = nodeAt(path);
  if (node === undefined) throw new ConfigError(`${origin}: ${path.join('.')} is not a known key`);
  if (isMap(node)) {
    const previous = getAt(raw, path);
    const entries = typeof previous === 'object' && previous !== null ? (previous as RawConfig) : {};
    const ids = text.split(',').map((s) => s.trim()).filter(Boolean);
    setAt(raw, path, Object.fromEntries(ids.map((id) => [id, entries[id] ?? {}])));
  } else {
    setAt(raw, path, coerce(text, node));
  }
  origins.set(path, origin);
}

/** Applies every INSTRUMENTS_* variable; an unknown one (a typo) stops the start like an unknown key. */
export function applyEnv(raw: RawConfig, env: NodeJS.ProcessEnv, origins: Origins): void {
  const known = new Map(leaves().filter((l) => l.env !== undefined).map((l) => [l.env as string, l.path]));
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || NON_SETTING_ENV.includes(name) || value === undefined || value === '') continue;
    const path = known.get(name);
    if (path === undefined) {
      const near = similarNames(name, [...known.keys()]);
      throw new ConfigError(`environment: ${name} is not a setting${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}; see the configuration reference in the README`);
    }
    setFromText(raw, path, value, `env ${name}`, origins);
  }
}
