import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { expect, it } from 'vitest';
import { CLI, REPO_ROOT } from '../support/demo-process.js';
import { PATIENCE_MS } from '../support/wait-for.js';

// A replica that cannot reach Redis at start has nothing to serve: it exits at once, naming the
// URL without its password, for a supervisor to restart it (running replicas ride out an outage).
it('exits 1 with one line naming the Redis URL, password masked, when Redis is unreachable at start', async () => {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
  const child = spawn(process.execPath, [CLI, 'serve', '--listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0'], {
    cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, INSTRUMENTS_STORE: `redis://:hunter2secret@127.0.0.1:${port}`, INSTRUMENTS_LIVE_EXCHANGES: 'dydx', INSTRUMENTS_LOGGING_FORMAT: 'json' },
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
  const code = await new Promise((resolve) => child.once('exit', resolve));
  expect(code).toBe(1);
  expect(stderr).toBe(`instruments serve: cannot reach Redis at redis://:***@127.0.0.1:${port}: Error: connect ECONNREFUSED 127.0.0.1:${port}\n`);
  expect(stderr).not.toContain('hunter2secret');
}, PATIENCE_MS); // one wait: the exit
