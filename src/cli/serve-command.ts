import { parseArgs } from 'node:util';
import { createLogger } from '../adapters/logger.js';
import type { ServiceConfig } from '../app/config.js';
import { startService } from '../app/service.js';
import { COMMON_OPTIONS, resolveConfig } from './cli-options.js';

export const SERVE_USAGE = `instruments serve [--config FILE] [--exchanges a,b] [--proxy-url URL] [--listen HOST:PORT] [--data-dir DIR] [--log-level LEVEL]
  Serves instruments.v1.InstrumentService (with reflection and grpc.health.v1) over gRPC, keeping
  its state in DIR (default ./.instruments-data) so a restart answers at once.`;

/** Runs until SIGINT/SIGTERM, then shuts down gracefully. */
export async function runService(config: ServiceConfig, onStop: () => Promise<void> = async () => {}): Promise<number> {
  const log = createLogger(config.logLevel);
  const service = await startService(config, log);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log.info('shutting down');
  await service.stop(5000);
  await onStop();
  return 0;
}

/** Where `serve` keeps its durable state unless configured: under the working directory. */
export const DEFAULT_DATA_DIR = '.instruments-data';

export async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...COMMON_OPTIONS, listen: { type: 'string' } } });
  const config = resolveConfig(values);
  return runService({ ...config, dataDir: config.dataDir ?? DEFAULT_DATA_DIR });
}
