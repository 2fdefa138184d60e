import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { z } from 'zod';
import { isCcxtExchange, ccxtExchangeIds } from '../adapters/ccxt/exchange-ids.js';
import { similarNames } from '../domain/close-matches.js';
import { applyEnv, Origins, setFromText, type RawConfig } from './config-layers.js';
import { serviceConfigOf } from './config-map.js';
import { acceptedAt, keysAt } from './config-reference.js';
import { configSchema, type ConfigFile } from './config-schema.js';
import { ConfigError, type ServiceConfig } from './config.js';

export interface ConfigSources {
  /** YAML file; undefined means defaults only. */
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Flag overrides as [dotted key, text, flag name], applied last. */
  flags?: ReadonlyArray<readonly [string, string, string]>;
}

const CREDENTIAL_KEYS = ['apiKey', 'secret', 'password', 'uid', 'privateKey', 'walletAddress', 'token'];

const show = (value: unknown): string => (value === undefined ? 'nothing' : JSON.stringify(value));

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let node = raw;
  for (const part of path) node = typeof node === 'object' && node !== null ? (node as Record<PropertyKey, unknown>)[part] : undefined;
  return node;
}

/** One line per problem: where it came from, the key, the bad value, what is accepted. */
function describeIssue(issue: z.core.$ZodIssue, raw: RawConfig, origins: Origins): string[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const key = path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const accepted = keysAt(path);
    return issue.keys.map((k) => {
      const near = similarNames(k, accepted);
      return `${origins.of([...path, k])}: ${key ? `${key}.` : ''}${k} is not a known key${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}; accepted: ${accepted.join(', ')}`;
    });
  }
  if (issue.code === 'custom') return [`${origins.of(path)}: ${key}: ${issue.message}`];
  const value = valueAt(raw, path);
  return [`${origins.of(path)}: ${key} ${value === undefined ? 'is missing' : `is ${show(value)}`}; accepted: ${acceptedAt(path)}`];
}

/** Unknown exchange ids, checked on the raw tree so they are reported beside shape problems. */
function exchangeIdProblems(raw: RawConfig, origins: Origins): string[] {
  const exchanges = valueAt(raw, ['live', 'exchanges']);
  if (typeof exchanges !== 'object' || exchanges === null || Array.isArray(exchanges)) return [];
  return Object.keys(exchanges).filter((id) => !isCcxtExchange(id)).map((id) => {
    const near = similarNames(id, ccxtExchangeIds());
    return `${origins.of(['live', 'exchanges', id])}: live.exchanges: "${id}" is not a CCXT exchange id${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}; accepted: the ids in ccxt.exchanges`;
  });
}

/** Checks beyond the shape: no credentials in the file, required companions. */
function crossChecks(file: ConfigFile, origins: Origins): string[] {
  const problems: string[] = [];
  for (const [id, exchange] of Object.entries(file.live.exchanges)) {
    const where = `${origins.of(['live', 'exchanges', id])}: live.exchanges`;
    // Secrets never live in a config file that gets committed and copied around.
    const secret = CREDENTIAL_KEYS.find((k) => k in exchange.ccxt);
    if (secret !== undefined) {
      problems.push(`${where}.${id}.ccxt.${secret} is not accepted: credentials come only from the environment (${id.toUpperCase()}_API_KEY, ${id.toUpperCase()}_SECRET)`);
    }
  }
  const { monitoring, historical } = file;
  if (file.http.tls && file.server.tls === undefined) {
    problems.push(`${origins.of(['http', 'tls'])}: http.tls is true but server.tls is missing; the HTTP port uses server.tls's certificate and key`);
  }
  if (monitoring.enabled && monitoring.alert_on_changes && monitoring.webhook_url === undefined) {
    problems.push(`${origins.of(['monitoring'])}: monitoring.webhook_url is missing; it is required when monitoring.enabled and monitoring.alert_on_changes are true`);
  }
  if (historical.enabled && historical.path === undefined && historical.url === undefined) {
    problems.push(`${origins.of(['historical'])}: historical.path or historical.url is required when historical.enabled is true`);
  }
  return problems;
}

function readYaml(path: string): RawConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new ConfigError(`${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${path}: the top level must be a mapping of sections, got ${show(raw)}`);
  return raw as RawConfig;
}

/** File, then environment, then flags, validated once by the schema; throws ConfigError listing every problem. */
export function loadConfig(sources: ConfigSources): ServiceConfig {
  const origins = new Origins(sources.file ?? 'defaults');
  const raw = sources.file === undefined ? {} : readYaml(sources.file);
  applyEnv(raw, sources.env ?? {}, origins);
  for (const [key, text, flag] of sources.flags ?? []) setFromText(raw, key.split('.'), text, flag, origins);
  const parsed = configSchema.safeParse(raw);
  const problems = [
    ...(parsed.success ? crossChecks(parsed.data, origins) : parsed.error.issues.flatMap((issue) => describeIssue(issue, raw, origins))),
    ...exchangeIdProblems(raw, origins),
  ];
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems.join('\n'));
  return serviceConfigOf(parsed.data);
}
