import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { readFixtureIndex, type FixtureIndex, type RecordedEntry } from './fixture-index.js';
import type { ReplayResponse } from './replay-response.js';

/**
 * One fixture folder: its index plus the recorded bodies, read on first use and kept.
 * Bodies are read lazily because most tests touch a few sets and some bodies are ~3 MB.
 */
export class FixtureSet {
  /** Pending or finished reads by file name; caching the promise de-duplicates parallel reads. */
  private readonly bodies = new Map<string, Promise<Buffer>>();

  private constructor(
    /** Folder name, e.g. `binance` or `binance@2022-12-17`. */
    readonly name: string,
    readonly dir: string,
    readonly index: FixtureIndex,
  ) {}

  static async load(dir: string): Promise<FixtureSet> {
    const absolute = path.resolve(dir);
    return new FixtureSet(path.basename(absolute), absolute, await readFixtureIndex(absolute));
  }

  /** Dated sets (`<id>@<date>`) record the same URLs with different bodies. */
  get dated(): boolean {
    return this.name.includes('@');
  }

  entry(url: string): RecordedEntry | undefined {
    return this.index.urls.get(url);
  }

  /** The recorded response for `url`, or undefined when this set has no recording of it. */
  async response(url: string): Promise<ReplayResponse | undefined> {
    const entry = this.entry(url);
    if (entry === undefined) return undefined;
    return { status: entry.status, contentType: entry.contentType, body: await this.body(entry) };
  }

  private body(entry: RecordedEntry): Promise<Buffer> {
    let pending = this.bodies.get(entry.file);
    if (pending === undefined) {
      pending = readFile(path.join(this.dir, entry.file));
      // Forget failed reads so a transient error is not cached forever.
      pending.catch(() => this.bodies.delete(entry.file));
      this.bodies.set(entry.file, pending);
    }
    return pending;
  }
}
