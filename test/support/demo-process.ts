import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PATIENCE_MS } from './wait-for.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = `${REPO_ROOT}dist/src/cli/main.js`;

export interface CliProcess {
  child: ChildProcess;
  port: number;
  /** The HTTP operations port, when enabled. */
  httpPort: number | undefined;
  /** Every stderr line so far (pino JSON). */
  logs: string[];
  /** SIGTERM and the exit code. */
  stop(): Promise<number | null>;
}

/** Runs the built `instruments` binary with args and waits (one wait's patience by default) for its "serving" log line. */
export async function startCli(args: string[], timeoutMs = PATIENCE_MS, env: NodeJS.ProcessEnv = {}): Promise<CliProcess> {
  // The HTTP port on 0 unless a test says otherwise, so parallel tests never collide on 9464.
  const childEnv = { ...process.env, INSTRUMENTS_HTTP_LISTEN: '127.0.0.1:0', INSTRUMENTS_LOGGING_FORMAT: 'json', ...env };
  const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: childEnv });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let httpPort: number | undefined;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`waited ${timeoutMs} ms for the "serving" line; logs:\n${logs.join('\n')}`)), timeoutMs);
    void exited.then((code) => reject(new Error(`exited with ${code} before serving:\n${logs.join('\n')}`)));
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
      logs.push(line);
      const entry = JSON.parse(line) as { msg?: string; port?: number; httpPort?: number };
      if (entry.msg === 'serving' && typeof entry.port === 'number') {
        httpPort = entry.httpPort;
        clearTimeout(timer);
        resolve(entry.port);
      }
    });
  });
  return {
    child, port, httpPort, logs,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
