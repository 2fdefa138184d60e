import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/demo-process.js';

// The Go mirror (clients/go, its own module) runs its own `go test` suite against the real server,
// test/support/e2e-server.mjs, which serves dist/ (built by vitest's global setup). Modules come
// from the module cache (or the Go proxy on a first run); GOTOOLCHAIN=local keeps go.mod from
// downloading another toolchain. The first run compiles gRPC with -race: about a minute.
const MODULE = join(REPO_ROOT, 'clients', 'go');

interface Outcome {
  code: number | null;
  output: string;
}

/** Runs go test to its end (or kills its process group after timeoutMs), stdout and stderr interleaved. */
function goTest(timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    // go's own -timeout fails a hung test with every goroutine's stack; ours is the backstop.
    // Detached: its own process group, so a kill also reaches the test binary and its server.
    const child = spawn('go', ['test', '-race', '-count=1', `-timeout=${Math.floor((timeoutMs - 30_000) / 1000)}s`, './...'], {
      cwd: MODULE,
      env: { ...process.env, GOTOOLCHAIN: 'local' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      output += `\n[killed after ${timeoutMs} ms]`;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * Backstops for an external toolchain, not waits for an outcome: a cold build with -race takes
 * about a minute on an idle machine (several on a loaded one), the suite itself about 10 s, and its
 * own waits give up after a minute or two (context timeouts in clients/go). go's -timeout (this
 * less 30 s) fails a hung test first, with every goroutine's stack; the kill only ends a go that
 * hangs itself, and vitest's timeout (a minute later) a kill that did not end it.
 */
const GO_TEST_KILL_MS = 540_000;

describe('Go mirror (go test)', () => {
  it('clients/go passes go test -race against the real server', async () => {
    const result = await goTest(GO_TEST_KILL_MS);
    expect(result.code, `go test failed:\n${result.output}`).toBe(0);
    expect(result.output).toMatch(/^ok\s+github\.com\/live-instruments\/live-instruments\/clients\/go\s/m);
  }, GO_TEST_KILL_MS + 60_000);
});
