import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { SecretRedactor } from './secret-redactor.js';

export interface LoggerOptions {
  level?: string;
  /** auto: pretty when stderr is a terminal, JSON otherwise. */
  format?: 'auto' | 'json' | 'pretty';
  redactor?: SecretRedactor;
}

// Logs go to stderr (stdout carries `sync` output). Two layers keep secrets out: pino's redact
// paths for fields that carry them by name, and the redactor scrubbing every known secret value
// from each finished line, whatever field or message it hid in.
const REDACT_PATHS = [
  'apiKey', 'secret', 'password', 'token', 'authorization',
  '*.apiKey', '*.secret', '*.password', '*.token', '*.authorization', '*.headers.authorization',
];

export function createLogger(levelOrOptions: string | LoggerOptions = {}): Logger {
  const options = typeof levelOrOptions === 'string' ? { level: levelOrOptions } : levelOrOptions;
  const redactor = options.redactor ?? new SecretRedactor();
  const stderr = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      process.stderr.write(redactor.scrub(chunk.toString()));
      done();
    },
  });
  const format = options.format ?? 'auto';
  const isPretty = format === 'pretty' || (format === 'auto' && process.stderr.isTTY === true);
  const destination = isPretty ? pretty({ destination: stderr, sync: true, colorize: process.stderr.isTTY === true }) : stderr;
  return pino({
    level: options.level ?? 'info',
    base: { service: 'live-instruments' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  }, destination);
}
