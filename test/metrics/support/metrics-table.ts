import type { Registry } from 'prom-client';

/** The label names a metric was declared with (prom-client keeps them, its typings do not say so). */
export function labelNamesOf(metric: object): readonly string[] {
  return (metric as { labelNames?: readonly string[] }).labelNames ?? [];
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** The README's metrics table, rendered from the registry itself so it cannot drift from the code. */
export function renderMetricsTable(registry: Registry): string {
  const rows = registry.getMetricsAsArray()
    .map((m) => `| \`${m.name}\` | ${m.type} | ${labelNamesOf(m).map((l) => `\`${l}\``).join(', ')} | ${cell(m.help)} |`);
  return ['| metric | type | labels | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
