// The README's metrics table is the registry rendered: a metric added, renamed or re-described
// without regenerating it fails here. Regenerate: UPDATE_DOCS=1 npx vitest run test/metrics/metrics-docs.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { Subject } from 'rxjs';
import { expect, it } from 'vitest';
import { createServiceMetrics } from '../../src/adapters/metrics/service-metrics.js';
import { InstrumentStore } from '../../src/store/instrument-store.js';
import { REPO_ROOT } from '../support/demo-process.js';
import { renderMetricsTable } from './support/metrics-table.js';

const README = `${REPO_ROOT}README.md`;
const SECTION = /(<!-- metrics-reference:start -->\n)([\s\S]*?)(\n<!-- metrics-reference:end -->)/;

it('the README lists every metric of the registry as it is declared', () => {
  const metrics = createServiceMetrics({
    store: new InstrumentStore(), exchanges: { statuses: () => [] }, refreshes$: new Subject(),
    watchers: () => 0, refreshIntervalSeconds: 300, cacheTtlSeconds: 900, defaultMetrics: false,
  });
  const table = renderMetricsTable(metrics.registry);
  metrics.close();
  expect(table).toContain('| `instruments_refreshes_total` | counter | `exchange`, `outcome` |');
  const readme = readFileSync(README, 'utf8');
  if (process.env['UPDATE_DOCS'] === '1') writeFileSync(README, readme.replace(SECTION, (_m, start: string, _old, end: string) => `${start}${table}${end}`));
  expect(SECTION.exec(readFileSync(README, 'utf8'))?.[2]).toBe(table);
});
