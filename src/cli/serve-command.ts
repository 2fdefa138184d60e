import { parseArgs } from 'node:util';
import { createLogger } from '../adapters/logger.js';
import type { ServiceConfig } from '../app/config.js';
import { startService } from '../app/service.js';
import { COMMON_OPTIONS, resolveConfig } from './cli-options.js';

export const SERVE_USAGE = `instruments serve [--config FILE] [--exchanges a,b] [--proxy-url URL] [--listen HOST:PORT] [--log-level LEVEL]
  Serves instruments.v1.InstrumentService (with reflection and grpc.health.v1) over gRPC.`;

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

export async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...COMMON_OPTIONS, listen: { type: 'string' } } });
  return runService(resolveConfig(values));
}
