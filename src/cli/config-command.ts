import { parseArgs } from 'node:util';
import { renderConfigReference } from '../app/config-docs.js';
import { loadAuthenticator } from '../server/load-authenticator.js';
import { readTlsMaterial } from '../server/tls-credentials.js';
import { COMMON_OPTIONS, configFile, resolveConfig, UsageError } from './cli-options.js';

export const CONFIG_USAGE = `instruments config check [--config FILE] [--print] [flags as for serve]
  Validates the configuration (file < INSTRUMENTS_* environment < flags) and the TLS and token files
  it names, without starting; exits 2 naming each bad key, its value and what is accepted. --print writes the effective settings as JSON.
  instruments config docs
  Prints the configuration reference (Markdown) rendered from the schema.`;

export async function configCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'docs') {
    process.stdout.write(`${renderConfigReference()}\n`);
    return 0;
  }
  if (sub !== 'check') throw new UsageError(`config ${sub ?? ''}: accepted subcommands: check, docs`);
  const { values } = parseArgs({ args: rest, options: { ...COMMON_OPTIONS, listen: { type: 'string' }, print: { type: 'boolean', default: false } } });
  const config = resolveConfig(values);
  // The files the settings point at are read too: a bad certificate or token file fails here, not at start.
  if (config.tls !== undefined) readTlsMaterial(config.tls);
  const authenticator = loadAuthenticator(config.auth, process.env);
  if (values.print) process.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
  const file = configFile(values, process.env) ?? 'defaults (no config file)';
  process.stderr.write(`config ok: ${file}; ${Object.keys(config.exchanges).length} exchanges; gRPC ${config.listen} (${config.tls ? (config.tls.clientCaFile ? 'mutual TLS' : 'TLS') : 'plaintext'}, auth ${authenticator === undefined ? 'off' : `on, ${authenticator.names.length} tokens`}); http ${config.http.enabled ? config.http.listen : 'off'}\n`);
  return 0;
}
