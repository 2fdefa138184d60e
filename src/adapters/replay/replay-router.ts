import path from 'node:path';

import { GlobalUrlMap, loadFixtureRoot } from './fixture-root.js';
import { FixtureSet } from './fixture-set.js';
import { normalizePrefix } from './request-target.js';
import {
  fromOverride,
  textResponse,
  type OverrideResponse,
  type ReplayResponse,
} from './replay-response.js';
import type { RequestLogEntry } from './request-log.js';

export interface RoutedResponse {
  readonly response: ReplayResponse;
  readonly source: RequestLogEntry['source'];
}

/**
 * Decides which bytes answer (prefix, original URL): overrides first, then the set mounted at
 * the prefix, or the global map for unprefixed requests. Kept free of HTTP so it is easy to test.
 */
export class ReplayRouter {
  private readonly mounts = new Map<string, FixtureSet>();
  private readonly global = new GlobalUrlMap();
  /** Loaded sets by absolute dir, so re-mounting a folder reuses its body cache. */
  private readonly loaded = new Map<string, Promise<FixtureSet>>();
  private readonly overridesAll = new Map<string, ReplayResponse>();
  private readonly overridesByPrefix = new Map<string, Map<string, ReplayResponse>>();

  /** Mounts every set of a root under its folder name; undated sets also join the global map. */
  async addRoot(rootDir: string): Promise<void> {
    for (const set of await loadFixtureRoot(rootDir)) {
      const existing = this.mounts.get(set.name);
      if (existing !== undefined && existing.dir !== set.dir) {
        throw new Error(`replay: prefix "${set.name}" is provided by both ${existing.dir} and ${set.dir}`);
      }
      this.loaded.set(set.dir, Promise.resolve(set));
      this.mounts.set(set.name, set);
      // Dated sets record the same URLs with other bodies; they are served by prefix only.
      if (!set.dated) this.global.add(set);
    }
  }

  /** (Re)points `prefix` at one set directory; the global map is not changed. */
  async mount(prefix: string, setDir: string): Promise<void> {
    const key = normalizePrefix(prefix);
    if (key === '') throw new Error('replay: mount() needs a non-empty prefix');
    this.mounts.set(key, await this.loadSet(setDir));
  }

  unmount(prefix: string): boolean {
    return this.mounts.delete(normalizePrefix(prefix));
  }

  setAt(prefix: string): FixtureSet | undefined {
    return this.mounts.get(normalizePrefix(prefix));
  }

  prefixes(): string[] {
    return [...this.mounts.keys()].sort();
  }

  /** Answers `url` with `response` from now on (null removes), on every prefix or just one. */
  override(url: string, response: OverrideResponse | null, prefix?: string): void {
    let table = this.overridesAll;
    if (prefix !== undefined) {
      const key = normalizePrefix(prefix);
      table = this.overridesByPrefix.get(key) ?? new Map<string, ReplayResponse>();
      this.overridesByPrefix.set(key, table);
    }
    if (response === null) table.delete(url);
    else table.set(url, fromOverride(response));
  }

  clearOverrides(): void {
    this.overridesAll.clear();
    this.overridesByPrefix.clear();
  }

  async route(prefix: string | null, url: string): Promise<RoutedResponse> {
    const override =
      (prefix === null ? undefined : this.overridesByPrefix.get(prefix)?.get(url)) ??
      this.overridesAll.get(url);
    if (override !== undefined) return { response: override, source: 'override' };

    if (prefix === null) return this.routeGlobal(url);
    const set = this.mounts.get(prefix);
    if (set === undefined) {
      return { response: textResponse(404, `replay: nothing mounted at prefix "${prefix}" (url ${url})`), source: 'error' };
    }
    const response = await set.response(url);
    if (response === undefined) {
      return { response: textResponse(404, `replay: no recording for ${url} in set ${set.name}`), source: 'error' };
    }
    return { response, source: 'set' };
  }

  private async routeGlobal(url: string): Promise<RoutedResponse> {
    const found = await this.global.response(url);
    if ('body' in found) return { response: found, source: 'global' };
    if (found.kind === 'conflict') {
      const message = `replay: ${url} is recorded differently by ${found.sets.join(', ')}; use a prefix`;
      return { response: textResponse(409, message), source: 'error' };
    }
    return { response: textResponse(404, `replay: no recording for ${url}`), source: 'error' };
  }

  private loadSet(setDir: string): Promise<FixtureSet> {
    const dir = path.resolve(setDir);
    let pending = this.loaded.get(dir);
    if (pending === undefined) {
      pending = FixtureSet.load(dir);
      pending.catch(() => this.loaded.delete(dir));
      this.loaded.set(dir, pending);
    }
    return pending;
  }
}
