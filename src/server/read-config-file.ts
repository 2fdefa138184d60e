import { readFileSync } from 'node:fs';
import { ConfigError } from '../app/config.js';

/** A file named by a config key; unreadable is a ConfigError naming the key, the path and the OS error. */
export function readConfigFile(key: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${key}: cannot read "${path}": ${(error as Error).message}`);
  }
}
