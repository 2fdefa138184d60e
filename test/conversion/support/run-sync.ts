import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { startReplayServer } from '../../../src/adapters/replay/index.js';
import { EXCHANGES_DIR } from '../../support/fixtures.js';

const run = promisify(execFile);

/** Built by test/support/global-setup.ts before any test file runs. */
const CLI = fileURLToPath(new URL('../../../dist/src/cli/main.js', import.meta.url));

/** One InstrumentDefinition as the CLI prints it (proto3 JSON; a field at its default is omitted). */
export type OutputLine = Record<string, unknown>;

export interface SyncRun {
  /** Output lines grouped by their ccxtExchange. */
  byExchange: Map<string, OutputLine[]>;
  stderr: string;
  ms: number;
}

/**
 * Serves the recorded responses with the replay server and runs the real path,
 * `instruments sync --once --config <yaml> --proxy-url <replay>`, for the given ccxt ids.
 * Each id's ccxt options are those its fixture index declares (okx: defaultUnderlying BTC-USD).
 */
export async function runSync(ids: string[]): Promise<SyncRun> {
  const started = Date.now();
  const replay = await startReplayServer({ fixturesDir: EXCHANGES_DIR });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'raw-conversion-'));
  try {
    const exchanges = Object.fromEntries(ids.map((id) => [id, { ccxt: replay.ccxtOptionsFor(id) }]));
    const config = path.join(dir, 'instruments.yaml');
    await writeFile(config, `${JSON.stringify({ live: { exchanges } }, null, 2)}\n`); // JSON is valid YAML
    let stdout: string;
    let stderr: string;
    try {
      ({ stdout, stderr } = await run(
        process.execPath,
        [CLI, 'sync', '--once', '--config', config, '--proxy-url', replay.url],
        { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      ));
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      throw new Error(`sync failed for ${ids.join(',')}: ${e.message}\n${e.stderr ?? ''}`);
    }
    const byExchange = new Map<string, OutputLine[]>(ids.map((id) => [id, []]));
    for (const line of stdout.split('\n')) {
      if (line.trim() === '') continue;
      const parsed = JSON.parse(line) as OutputLine;
      const id = String(parsed['ccxtExchange'] ?? '');
      const list = byExchange.get(id);
      if (list === undefined) throw new Error(`output line for unrequested exchange "${id}": ${line.slice(0, 200)}`);
      list.push(parsed);
    }
    return { byExchange, stderr, ms: Date.now() - started };
  } finally {
    await replay.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export function linesOf(sync: SyncRun, id: string): OutputLine[] {
  return sync.byExchange.get(id) ?? [];
}
