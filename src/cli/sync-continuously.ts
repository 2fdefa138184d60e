import { createLogger } from '../adapters/logger.js';
import type { ServiceConfig } from '../app/config.js';
import { startRefreshing } from '../app/refreshing.js';
import { webhookBody } from '../domain/webhook-payload.js';
import { InstrumentStore } from '../store/instrument-store.js';

/**
 * `instruments sync` without --once: the refresh pipelines without a server, printing each change
 * batch (the webhook's JSON, one line) as it is applied. The first load of each exchange prints
 * every instrument as ADDED.
 */
export async function syncContinuously(config: ServiceConfig): Promise<number> {
  const log = createLogger({ level: config.logLevel, format: config.logFormat });
  const store = new InstrumentStore({ maxBatches: 1, maxChanges: 1 });
  store.changes$.subscribe((batch) => process.stdout.write(`${webhookBody(batch)}\n`));
  const refreshing = startRefreshing(config, store, log);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await refreshing.stop();
  return 0;
}
