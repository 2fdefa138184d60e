import { access, readdir } from 'node:fs/promises';
import path from 'node:path';

import { INDEX_FILE } from './fixture-index.js';
import { FixtureSet } from './fixture-set.js';
import type { ReplayResponse } from './replay-response.js';

async function hasIndex(dir: string): Promise<boolean> {
  try {
    await access(path.join(dir, INDEX_FILE));
    return true;
  } catch {
    return false;
  }
}

/**
 * Loads every fixture set of a root directory: each subfolder holding an index.json
 * (test/fixtures/exchanges, test/fixtures/exchanges-dated). A directory that is itself
 * a set (test/fixtures/tardis has its index.json at the top) yields just that set.
 */
export async function loadFixtureRoot(rootDir: string): Promise<FixtureSet[]> {
  const root = path.resolve(rootDir);
  if (await hasIndex(root)) return [await FixtureSet.load(root)];
  const entries = await readdir(root, { withFileTypes: true });
  const dirs = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join(root, entry.name))
    .sort();
  const withIndex = await Promise.all(dirs.map(async (dir) => ((await hasIndex(dir)) ? dir : null)));
  return Promise.all(
    withIndex.filter((dir): dir is string => dir !== null).map((dir) => FixtureSet.load(dir)),
  );
}

export type GlobalLookup =
  | { readonly kind: 'found'; readonly set: FixtureSet }
  | { readonly kind: 'conflict'; readonly sets: readonly string[] }
  | { readonly kind: 'missing' };

/**
 * The URL → recording map served without a prefix. The exchanges README says one global map
 * is safe because sets sharing a URL (binance/binanceusdm fapi, binance/binancecoinm dapi)
 * record identical bytes. That is checked here by sha256 instead of trusted: a URL recorded
 * differently by two sets is marked as a conflict and only served under a set's prefix.
 */
export class GlobalUrlMap {
  private readonly owners = new Map<string, FixtureSet[]>();

  add(set: FixtureSet): void {
    for (const url of set.index.urls.keys()) {
      const owners = this.owners.get(url);
      if (owners === undefined) this.owners.set(url, [set]);
      else owners.push(set);
    }
  }

  lookup(url: string): GlobalLookup {
    const owners = this.owners.get(url);
    const first = owners?.[0];
    if (owners === undefined || first === undefined) return { kind: 'missing' };
    if (owners.length === 1) return { kind: 'found', set: first };
    // Without a hash the bodies cannot be shown equal, so that also counts as a conflict.
    const sha = first.entry(url)?.sha256 ?? null;
    const same = owners.every((set) => sha !== null && set.entry(url)?.sha256 === sha);
    return same ? { kind: 'found', set: first } : { kind: 'conflict', sets: owners.map((s) => s.name) };
  }

  async response(url: string): Promise<ReplayResponse | GlobalLookup> {
    const found = this.lookup(url);
    if (found.kind !== 'found') return found;
    return (await found.set.response(url)) ?? { kind: 'missing' };
  }

  get size(): number {
    return this.owners.size;
  }
}
