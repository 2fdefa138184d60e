// The alert rules, the sample Prometheus config and the Grafana dashboard in deploy/ refer only to
// metrics and labels the service exposes; promtool (installed by the test setup) checks and
// unit-tests the rules and parses the dashboard's queries.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Subject } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { createServiceMetrics, type ServiceMetrics } from '../../src/adapters/metrics/service-metrics.js';
import { InstrumentStore } from '../../src/store/instrument-store.js';
import { parseExposition, type Exposition } from './support/exposition.js';
import { labelNamesOf } from './support/metrics-table.js';

const DEPLOY = resolve(import.meta.dirname, '..', '..', 'deploy');
const ALERTS = join(DEPLOY, 'prometheus', 'alerts.yml');
const PROMETHEUS = join(DEPLOY, 'prometheus', 'prometheus.yml');
const DASHBOARD = join(DEPLOY, 'grafana', 'live-instruments.json');
const TARGET_LABELS = ['job', 'instance'];

interface Rule { alert?: string; expr?: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
interface Target { expr?: string; refId?: string; datasource?: { uid?: string } }
interface Panel { id: number; type: string; title: string; gridPos: { x: number; y: number; w: number; h: number }; datasource?: { uid?: string }; targets?: Target[] }

const alertsText = readFileSync(ALERTS, 'utf8');
const alerts = parseYaml(alertsText) as { groups: Array<{ name: string; rules: Rule[] }> };
const dashboardText = readFileSync(DASHBOARD, 'utf8');
const dashboard = JSON.parse(dashboardText) as { schemaVersion: number; __inputs: Array<{ name: string; pluginId: string }>; panels: Panel[]; templating: { list: Array<{ query: { query: string } }> } };
const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));

let metrics: ServiceMetrics;
let exposition: Exposition;
beforeAll(async () => {
  metrics = createServiceMetrics({
    store: new InstrumentStore(), exchanges: { statuses: () => [] }, refreshes$: new Subject(), watchers: () => 0,
    webhook: { stats: () => ({ delivered: 0, failedAttempts: 0, dropped: 0, queued: 0 }) }, refreshIntervalSeconds: 300, cacheTtlSeconds: 900,
  });
  exposition = parseExposition(await metrics.text());
});
afterAll(() => metrics.close());

/** The metric families a text refers to, with the labels its selectors match on. */
function references(text: string): Array<{ name: string; family: string; labels: string[] }> {
  return [...text.matchAll(/\b(instruments_[a-z0-9_]+)\b(\{[^}]*\})?/g)].map(([, name = '', selector = '']) => {
    const base = name.replace(/_(bucket|sum|count)$/, '');
    const family = exposition.types.get(base) === 'histogram' ? base : name;
    return { name, family, labels: [...selector.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1] ?? '') };
  });
}

describe.each([
  ['deploy/prometheus/alerts.yml', alertsText],
  ['deploy/grafana/live-instruments.json', dashboardText],
])('%s', (_file, text) => {
  it('refers only to metrics the service exposes, with their labels', () => {
    const refs = references(text);
    expect(refs.length).toBeGreaterThan(10);
    for (const { name, family, labels } of refs) {
      expect(exposition.types.has(family), `${name} is not exposed`).toBe(true);
      if (name !== family) expect(exposition.types.get(family), name).toBe('histogram');
      const metric = metrics.registry.getSingleMetric(family);
      const allowed = new Set([...(metric === undefined ? [] : labelNamesOf(metric)), ...TARGET_LABELS, ...(name.endsWith('_bucket') ? ['le'] : [])]);
      for (const label of labels) expect(allowed.has(label), `${name} has no label ${label}`).toBe(true);
    }
  });
});

describe('alert rules', () => {
  it('are one group of named alerts, each with a severity, a summary and a description', () => {
    expect(alerts.groups.map((g) => g.name)).toEqual(['live-instruments']);
    const rules = alerts.groups[0]?.rules ?? [];
    expect(rules.map((r) => r.alert).sort()).toEqual([
      'InstrumentsDown', 'InstrumentsExchangeFailing', 'InstrumentsExchangeNeverLoaded', 'InstrumentsExchangeNotRefreshed',
      'InstrumentsExchangeStale', 'InstrumentsExchangeUnpolled', 'InstrumentsMarketsRejected', 'InstrumentsRefreshHeld',
      'InstrumentsRpcErrorRatioHigh', 'InstrumentsStoreDisconnected', 'InstrumentsWebhookDropped', 'InstrumentsWebhookFailing',
    ]);
    for (const rule of rules) {
      expect(rule.expr, rule.alert).toBeTruthy();
      expect(['info', 'warning', 'critical'], rule.alert).toContain(rule.labels?.['severity']);
      expect(rule.annotations?.['summary'], rule.alert).toBeTruthy();
      expect(rule.annotations?.['description'], rule.alert).toBeTruthy();
      if (rule.for !== undefined) expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
    }
  });

  it('compare freshness with the configured interval and TTL, not with fixed numbers', () => {
    const expr = (name: string): string => alerts.groups[0]?.rules.find((r) => r.alert === name)?.expr ?? '';
    expect(expr('InstrumentsExchangeNotRefreshed')).toMatch(/3 \* instruments_refresh_interval_seconds/);
    expect(expr('InstrumentsExchangeStale')).toMatch(/instruments_cache_ttl_seconds/);
  });
});

describe('sample Prometheus config', () => {
  it('scrapes the job the alerts name, with a bearer token from a file, and loads the rules', () => {
    const config = parseYaml(readFileSync(PROMETHEUS, 'utf8')) as {
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; metrics_path: string; authorization?: { type?: string; credentials_file?: string } }>;
    };
    expect(config.rule_files).toContain('alerts.yml');
    const job = config.scrape_configs.find((c) => c.job_name === 'live-instruments');
    expect(alertsText).toContain(`up{job="${job?.job_name ?? 'missing'}"}`);
    expect(job?.metrics_path).toBe('/metrics');
    expect(job?.authorization?.type).toBe('Bearer');
    expect(job?.authorization?.credentials_file).toMatch(/^\//);
  });
});

describe('Grafana dashboard', () => {
  it('takes its datasource as an input and lays out uniquely numbered, non-overlapping panels', () => {
    expect(dashboard.schemaVersion).toBe(39);
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', pluginId: 'prometheus' })]);
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    const cells = new Set<string>();
    for (const panel of dashboard.panels) {
      const { x, y, w, h } = panel.gridPos;
      expect(x + w, panel.title).toBeLessThanOrEqual(24);
      for (let i = x; i < x + w; i += 1) {
        for (let j = y; j < y + h; j += 1) {
          expect(cells.has(`${i},${j}`), `${panel.title} overlaps at ${i},${j}`).toBe(false);
          cells.add(`${i},${j}`);
        }
      }
      if (panel.type === 'row') continue;
      expect(panel.datasource?.uid, panel.title).toBe('${DS_PROMETHEUS}');
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect(target.datasource?.uid, panel.title).toBe('${DS_PROMETHEUS}');
        expect(target.expr, panel.title).toMatch(/instruments_/);
      }
      expect(new Set(panel.targets?.map((t) => t.refId)).size, panel.title).toBe(panel.targets?.length);
    }
  });

  it('has a panel for each thing an operator watches', () => {
    const all = queries.join('\n');
    for (const name of [
      'instruments_refresh_duration_seconds_bucket', 'instruments_exchange_staleness_seconds', 'instruments_exchange_instruments',
      'instruments_changes_total', 'instruments_refreshes_total', 'instruments_watchers_connected', 'instruments_rpc_requests_total',
      'instruments_rpc_duration_seconds_bucket', 'instruments_webhook_deliveries_total',
    ]) expect(all, name).toContain(name);
  });
});

// promtool is installed by the test setup (scripts/ensure-tools.mjs), so it is never skipped.
describe('with promtool', () => {
  const run = (args: string[], cwd: string): string => execFileSync('promtool', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  it('the alert rules pass promtool check and their unit tests', () => {
    const dir = join(DEPLOY, 'prometheus');
    expect(run(['check', 'rules', 'alerts.yml'], dir)).toMatch(/SUCCESS: 12 rules found/);
    expect(run(['test', 'rules', 'alerts.test.yml'], dir)).toMatch(/SUCCESS/);
  });

  it('every dashboard query is valid PromQL once Grafana\'s variables are filled in', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dashboard-rules-'));
    try {
      const rules = [...queries, ...dashboard.templating.list.map((v) => v.query.query.replace(/^label_values\((.*), \w+\)$/, '$1'))]
        .map((expr, i) => ({ record: `dashboard:query_${i}`, expr: expr.replaceAll('$__rate_interval', '5m').replace(/\$(instance|exchange)/g, '.*') }));
      writeFileSync(join(dir, 'rules.yml'), toYaml({ groups: [{ name: 'dashboard', rules }] }));
      expect(run(['check', 'rules', 'rules.yml'], dir)).toMatch(new RegExp(`SUCCESS: ${rules.length} rules found`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
