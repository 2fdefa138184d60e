// CI runs every bench at smoke size, only to prove it still runs and still reports: the figures
// of a smoke run mean nothing, and no target is checked here (bench/RESULTS.md has the real runs).
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/demo-process.js';

const BENCH = join(REPO_ROOT, 'bench');
const benches = readdirSync(BENCH).filter((f) => f.endsWith('.mjs') && f !== 'run-all.mjs').sort();

/**
 * A backstop, not a speed limit: the slowest smoke run (cold-start.mjs, several service starts)
 * took 35 s idle and 79 s with both cores hogged; three times that, a bench still running is hung.
 */
const SMOKE_KILL_MS = 240_000;

function runSmoke(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(BENCH, file), '--smoke'], { cwd: REPO_ROOT, maxBuffer: 64 << 20, timeout: SMOKE_KILL_MS }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

describe.sequential('benches run at smoke size', () => {
  it('has a bench for every target of the performance issue', () => {
    expect(benches).toEqual(expect.arrayContaining([
      'batch-get.mjs', 'cold-start.mjs', 'list-instruments.mjs', 'refresh-stall.mjs', 'scale.mjs', 'unary-lookup.mjs', 'versus-ccxt.mjs', 'watch-fanout.mjs',
    ]));
  });

  it.each(benches)('%s --smoke exits 0 and reports JSON with its targets', async (file) => {
    const { code, stdout, stderr } = await runSmoke(file);
    expect(code, `${file} failed:\n${stderr.slice(-4000)}`).toBe(0);
    const line = stdout.split('\n').find((l) => l.startsWith('{"bench"'));
    expect(line, `${file} printed no JSON result:\n${stdout.slice(-2000)}`).toBeDefined();
    const result = JSON.parse(line as string) as { targets?: Array<{ name: string; measured: string; met: boolean }> };
    expect(result.targets?.length, `${file} reports no targets`).toBeGreaterThan(0);
    for (const target of result.targets ?? []) expect(target).toEqual({ name: expect.any(String), measured: expect.any(String), met: expect.any(Boolean) });
  }, SMOKE_KILL_MS + 30_000); // the kill, and time to report what the bench printed
});
