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

describe('Python mirror and client (pytest)', () => {
  it('clients/python/tests pass against the real server', async () => {
    const install = await run(process.execPath, ['scripts/ensure-tools.mjs', '--only', 'python'], 300_000);
    expect(install.code, `ensure-tools --only python failed:\n${install.output}`).toBe(0);

    const pytest = await run(PYTHON, ['-m', 'pytest', 'clients/python/tests', '-q'], 300_000);
    expect(pytest.code, `pytest failed:\n${pytest.output}`).toBe(0);
    expect(pytest.output).toMatch(/^\d+ passed in /m);
  }, 620_000);
});
