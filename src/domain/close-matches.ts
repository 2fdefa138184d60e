// Suggestions for a NOT_FOUND: keys whose symbol reads the same once case and punctuation are
// ignored ("btcusdt" ~ "BTC/USDT"), or that extend it. Only runs on the error path.

const normalize = (s: string): string => s.toUpperCase().replace(/[^A-Z0-9]/g, '');

function symbolPart(key: string): string {
  const first = key.indexOf(':');
  const second = first < 0 ? -1 : key.indexOf(':', first + 1);
  return second < 0 ? key : key.slice(second + 1);
}

export function closeMatches(query: string, keys: Iterable<string>, limit = 5): string[] {
  const q = normalize(symbolPart(query));
  if (q.length < 2) return [];
  const exact: string[] = [];
  const near: string[] = [];
  for (const key of keys) {
    const k = normalize(symbolPart(key));
    if (k === q) exact.push(key);
    else if (near.length < limit && k.startsWith(q)) near.push(key);
  }
  return [...exact.sort(), ...near.sort()].slice(0, limit);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** Names within a couple of typos of the query (for "did you mean" on ids), nearest first. */
export function similarNames(query: string, names: Iterable<string>, limit = 3): string[] {
  const q = query.toLowerCase();
  const maxDistance = q.length <= 4 ? 1 : 2;
  return [...names]
    .map((name) => ({ name, d: editDistance(q, name.toLowerCase()) }))
    .filter((x) => x.d <= maxDistance)
    .sort((x, y) => x.d - y.d || x.name.localeCompare(y.name))
    .slice(0, limit)
    .map((x) => x.name);
}
