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
