import type { Logger } from 'pino';
import { loadTardisDefinitions } from '../adapters/tardis/load-tardis.js';
import { tardisDefinitionAsOf, tardisToDefinition } from '../domain/tardis-definition.js';
import type { HistoricalEntry } from '../store/historical-layer.js';

/**
 * Loads every configured historical source. A source that cannot be read is logged and skipped:
 * the live service does not wait on history.
 */
export async function loadHistoricalSources(sources: readonly string[], log: Logger): Promise<HistoricalEntry[]> {
  const entries: HistoricalEntry[] = [];
  for (const source of sources) {
    try {
      const loaded = await loadTardisDefinitions(source, { dataProvider: 'tardis' });
      for (const record of loaded.records) {
        const converted = tardisToDefinition(record, { dataProvider: 'tardis' });
        if (converted.ok) entries.push({ definition: converted.definition, asOf: (time) => tardisDefinitionAsOf(record, time, { dataProvider: 'tardis' }) });
      }
      log.info({ source, definitions: loaded.definitions.length, rejected: loaded.rejected.length }, 'historical definitions loaded');
      if (loaded.rejected.length > 0) log.warn({ source, rejected: loaded.rejected.slice(0, 20) }, 'historical records not converted');
    } catch (error) {
      log.error({ source, error: error instanceof Error ? error.message : String(error) }, 'historical source unavailable; serving without it');
    }
  }
  return entries;
}
