import { pino, type Logger } from 'pino';

// JSON logs on stderr (stdout carries `sync` output). Credentials never reach a log line: the
// CCXT config is never logged, and these paths are redacted in case an object carrying them is.
export function createLogger(level = 'info'): Logger {
  return pino(
    {
      level,
      base: { service: 'live-instruments' },
      redact: { paths: ['apiKey', 'secret', 'password', '*.apiKey', '*.secret', '*.password'], censor: '[redacted]' },
    },
    pino.destination(2),
  );
}
