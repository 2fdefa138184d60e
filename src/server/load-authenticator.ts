import { ConfigError, type AuthConfig } from '../app/config.js';
import { Authenticator } from '../domain/authenticator.js';
import { parseTokenEntry, type TokenEntry } from '../domain/token-entry.js';
import { readConfigFile } from './read-config-file.js';

export const TOKENS_ENV = 'INSTRUMENTS_AUTH_TOKENS';
export const TOKENS_FILE_KEY = 'auth.tokens_file';

interface SourceLine {
  /** Where the entry stands, for messages: `auth.tokens_file "/etc/t" line 3`. */
  where: string;
  text: string;
}

// One entry a line; blank lines and lines starting with '#' are skipped (in both sources).
const isEntry = (line: SourceLine): boolean => line.text.trim() !== '' && !line.text.trim().startsWith('#');

function fileLines(path: string): SourceLine[] {
  return readConfigFile(TOKENS_FILE_KEY, path).split(/\r?\n/)
    .map((text, i) => ({ where: `${TOKENS_FILE_KEY} "${path}" line ${i + 1}`, text }));
}

function envLines(value: string): SourceLine[] {
  return value.split(/[;\n]/).map((text, i) => ({ where: `${TOKENS_ENV} entry ${i + 1}`, text }));
}

/** Entries from all lines; any bad line, duplicate name or reused token is a ConfigError. */
export function parseTokenLines(lines: SourceLine[]): TokenEntry[] {
  const entries: TokenEntry[] = [];
  const names = new Map<string, string>();
  const tokens = new Map<string, string>();
  for (const line of lines.filter(isEntry)) {
    const parsed = parseTokenEntry(line.text);
    if (!parsed.ok) throw new ConfigError(`${line.where}: ${parsed.reason}`);
    const { name, token } = parsed.entry;
    const sameName = names.get(name);
    if (sameName !== undefined) throw new ConfigError(`${line.where}: duplicate token name "${name}" (first at ${sameName})`);
    // Two names for one token would make the caller's identity ambiguous.
    const sameToken = tokens.get(token);
    if (sameToken !== undefined) throw new ConfigError(`${line.where}: the token of "${name}" is the same as the token at ${sameToken}; give each name its own token`);
    names.set(name, line.where);
    tokens.set(token, `${line.where} ("${name}")`);
    entries.push(parsed.entry);
  }
  return entries;
}

/** The Authenticator for `auth`, from the tokens file and INSTRUMENTS_AUTH_TOKENS; undefined when auth is off. */
export function loadAuthenticator(auth: AuthConfig, env: NodeJS.ProcessEnv, onToken: (token: string) => void = () => {}): Authenticator | undefined {
  if (!auth.enabled) return undefined;
  const lines = [
    ...(auth.tokensFile === undefined ? [] : fileLines(auth.tokensFile)),
    ...envLines(env[TOKENS_ENV] ?? ''),
  ];
  const entries = parseTokenLines(lines);
  if (entries.length === 0) {
    const file = auth.tokensFile === undefined ? `${TOKENS_FILE_KEY} is not set` : `${TOKENS_FILE_KEY} "${auth.tokensFile}" has no entries`;
    throw new ConfigError(`auth.enabled is true but there are no tokens (${file}, ${TOKENS_ENV} has none): add name:token[:scopes] entries`);
  }
  // The caller registers each token with the log redactor: the Authenticator keeps only digests.
  for (const entry of entries) onToken(entry.token);
  return new Authenticator(entries);
}
