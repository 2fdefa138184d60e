// Output of every bench: one JSON line (machine-readable, what RESULTS.md quotes) and a
// Markdown table for people. `--smoke` runs are for CI: they prove the bench still runs.
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';

/** The bench's flags: `--smoke` plus its own (parseArgs options). */
export function benchArgs(options = {}) {
  const { values } = parseArgs({ options: { smoke: { type: 'boolean', default: false }, ...options }, strict: true });
  return values;
}

export function machine() {
  return { cores: cpus().length, cpu: cpus()[0]?.model.trim() ?? 'unknown', memGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
}

/** Quantile of numbers (nearest rank). */
export function quantile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * Prints the result as JSON (with the machine, and whether every target was met) and the rows as
 * a table. `rows` is an array of objects with the same keys; numbers are rounded for the table.
 */
export function report(result, rows) {
  const targets = result.targets ?? [];
  const full = { ...result, met: targets.every((t) => t.met), machine: machine(), date: new Date().toISOString() };
  console.log(JSON.stringify(full));
  if (rows.length > 0) {
    const columns = Object.keys(rows[0]);
    const cell = (v) => (typeof v === 'number' ? (Math.abs(v) >= 100 || Number.isInteger(v) ? v.toFixed(0) : v.toPrecision(3)) : String(v));
    console.log(`\n| ${columns.join(' | ')} |\n|${columns.map(() => '---').join('|')}|`);
    for (const row of rows) console.log(`| ${columns.map((c) => cell(row[c])).join(' | ')} |`);
  }
  for (const t of targets) console.log(`${t.met ? 'met' : 'NOT MET'}: ${t.name}: ${t.measured}`);
  return full;
}
