import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/demo-process.js';

// The Python mirror (clients/python) and the generated Python client (gen/python) run their own
// pytest suite (clients/python/tests) against the real server, test/support/e2e-server.mjs,
// which serves dist/ (built by vitest's global setup). The two packages are installed into .venv
// (editable) by scripts/ensure-tools.mjs, which npm test runs first; running it again here is a
// no-op then, and makes this file work on its own.
const PYTHON = join(REPO_ROOT, '.venv', 'bin', 'python');

interface Outcome {
  code: number | null;
  output: string;
}

/** Runs a command to its end (or kills it after timeoutMs), with stdout and stderr interleaved. */
function run(command: string, args: string[], timeoutMs: number): Promise<Outcome> {
  // The suite must import the installed packages, never a PYTHONPATH copy.
  const env = { ...process.env };
  delete env['PYTHONPATH'];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      output += `\n[killed after ${timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * Backstops for external tools, not waits for an outcome. The install is a no-op once .venv
 * exists, else a pip install from the package index: minutes at most. pytest takes about 30 s
 * idle; its own waits (clients/python/tests/support.py) give up within two minutes each, so a
 * hang there reports itself long before the kill.
 */
const INSTALL_KILL_MS = 300_000;
const PYTEST_KILL_MS = 300_000;

describe('Python mirror and client (pytest)', () => {
  it('clients/python/tests pass against the real server', async () => {
    const install = await run(process.execPath, ['scripts/ensure-tools.mjs', '--only', 'python'], INSTALL_KILL_MS);
    expect(install.code, `ensure-tools --only python failed:\n${install.output}`).toBe(0);

    const pytest = await run(PYTHON, ['-m', 'pytest', 'clients/python/tests', '-q'], PYTEST_KILL_MS);
    expect(pytest.code, `pytest failed:\n${pytest.output}`).toBe(0);
    expect(pytest.output).toMatch(/^\d+ passed in /m);
  }, INSTALL_KILL_MS + PYTEST_KILL_MS + 20_000); // both kills, and 20 s to report them
});
