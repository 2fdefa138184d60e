// A strict reader of the Prometheus text format (0.0.4) as prom-client writes it: every line must
// be a HELP, a TYPE or a sample, so a malformed exposition fails the test that reads it.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** Metric family name → type (counter, gauge, histogram, summary). */
  types: Map<string, string>;
  help: Map<string, string>;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const HELP = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;
const SUFFIXES = ['_bucket', '_sum', '_count'];

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const match = LABEL.exec(text);
    if (match === null) throw new Error(`bad labels in: ${line}`);
    const [, name = '', raw = ''] = match;
    if (name in labels) throw new Error(`label ${name} twice in: ${line}`);
    labels[name] = raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

function parseValue(text: string, line: string): number {
  if (/^[+-]?inf$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(text)) return NaN;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`bad value in: ${line}`);
  return value;
}

/** The family a sample belongs to: histogram samples carry _bucket, _sum or _count. */
export function familyOf(name: string, types: ReadonlyMap<string, string>): string {
  if (types.has(name)) return name;
  const suffix = SUFFIXES.find((s) => name.endsWith(s));
  return suffix === undefined ? name : name.slice(0, -suffix.length);
}

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const h = HELP.exec(line);
    if (h !== null) {
      help.set(h[1] ?? '', h[2] ?? '');
      continue;
    }
    const t = TYPE.exec(line);
    if (t !== null) {
      if (types.has(t[1] ?? '')) throw new Error(`TYPE twice: ${line}`);
      types.set(t[1] ?? '', t[2] ?? '');
      continue;
    }
    const s = SAMPLE.exec(line);
    if (s === null) throw new Error(`not a HELP, TYPE or sample line: ${line}`);
    const sample = { name: s[1] ?? '', labels: parseLabels(s[2] ?? '', line), value: parseValue(s[3] ?? '', line) };
    const family = familyOf(sample.name, types);
    if (!types.has(family)) throw new Error(`sample before its TYPE: ${line}`);
    const id = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(id)) throw new Error(`series twice: ${line}`);
    seen.add(id);
    samples.push(sample);
  }
  return { samples, types, help };
}

/** The value of the one sample with exactly these labels (undefined when absent). */
export function valueOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels);
  const matches = exposition.samples.filter((s) => s.name === name &&
    Object.keys(s.labels).length === wanted.length && wanted.every(([k, v]) => s.labels[k] === v));
  if (matches.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} is ambiguous`);
  return matches[0]?.value;
}

/** Sum of the samples of `name` whose labels include `labels`. */
export function sumOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  return exposition.samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}
