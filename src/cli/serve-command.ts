import { parseArgs } from 'node:util';
import { createLogger } from '../adapters/logger.js';
import { SecretRedactor, secretsInEnv } from '../adapters/secret-redactor.js';
import type { ServiceConfig } from '../app/config.js';
import { startService } from '../app/service.js';
import { COMMON_OPTIONS, resolveConfig } from './cli-options.js';

export const SERVE_USAGE = `instruments serve [--config FILE] [--exchanges a,b] [--proxy-url URL] [--listen HOST:PORT] [--http-listen HOST:PORT]
                   [--data-dir DIR] [--log-level LEVEL] [--log-format auto|json|pretty] [--set key=value ...]
  Serves instruments.v1.InstrumentService (with reflection and grpc.health.v1) over gRPC, and
  metrics and the status dashboard over HTTP, keeping its state in DIR (default ./.instruments-data)
  so a restart answers at once. Config: --config, else INSTRUMENTS_CONFIG, else ./instruments.yaml.`;

const waitForSignal = (): Promise<NodeJS.Signals> => new Promise((resolve) => {
  process.once('SIGINT', () => resolve('SIGINT'));
  process.once('SIGTERM', () => resolve('SIGTERM'));
});

/**
 * Runs until SIGINT/SIGTERM, then: health NOT_SERVING → no new calls → open watches ended with
 * UNAVAILABLE (clients resume elsewhere) → refreshes stopped → durable state flushed → exit 0.
 * Past the grace period, or on a second signal, the exit is forced (code 1).
 */
export async function runService(config: ServiceConfig, onStop: () => Promise<void> = async () => {}, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const redactor = new SecretRedactor();
  for (const secret of secretsInEnv(env, Object.keys(config.exchanges))) redactor.add(secret);
  const log = createLogger({ level: config.logLevel, format: config.logFormat, redactor });
  const service = await startService(config, log, env, redactor);
  const signal = await waitForSignal();
  const graceMs = config.shutdownGraceSeconds * 1000;
  const started = Date.now();
  log.info({ signal, graceMs, watchers: service.server.watchers.size, revision: service.store.revision }, 'shutting down');
  const force = (why: string): void => {
    log.error({ elapsedMs: Date.now() - started }, `${why}; forcing exit`);
    process.exit(1);
  };
  const timer = setTimeout(() => force('shutdown grace period exceeded'), graceMs);
  void waitForSignal().then(() => force('second signal during shutdown'));
  await service.stop(graceMs);
  await onStop();
  clearTimeout(timer);
  log.info({ elapsedMs: Date.now() - started }, 'stopped');
  return 0;
}

/** Where `serve` keeps its durable state unless configured: under the working directory. */
export const DEFAULT_DATA_DIR = '.instruments-data';

export async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...COMMON_OPTIONS, listen: { type: 'string' } } });
  const config = resolveConfig(values);
  return runService({ ...config, dataDir: config.dataDir ?? DEFAULT_DATA_DIR });
}
