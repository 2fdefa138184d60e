import { pino, type Logger } from 'pino';

/** A debug-level pino logger whose JSON lines are kept in `lines`. */
export function capturedLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) }), lines };
}
