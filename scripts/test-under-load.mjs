#!/usr/bin/env node
// `npm run test:under-load`: the README's test command while two CPU hogs hold both cores of the
// machine (one busy-looping process per hog), the way a shared CI machine can be. The suite must
// pass here too: its tests assert outcomes, and the only time bounds are configured times plus
// what a test measured of the machine in the same run. HOGS=N sets the number of hogs (default 2).
import { spawn } from 'node:child_process';

const count = Number(process.env.HOGS ?? 2);
const hogs = Array.from({ length: count }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
const stopHogs = () => { for (const hog of hogs) hog.kill('SIGKILL'); };
process.on('exit', stopHogs);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => { stopHogs(); process.exit(130); });
process.stderr.write(`test:under-load: ${count} CPU hogs running (pids ${hogs.map((h) => h.pid).join(', ')})\n`);

const started = Date.now();
const test = spawn('npm', ['test', '--', ...process.argv.slice(2)], { stdio: 'inherit' });
test.on('exit', (code, signal) => {
  stopHogs();
  process.stderr.write(`test:under-load: npm test ${signal ?? `exited ${code}`} after ${Math.round((Date.now() - started) / 1000)} s with ${count} hogs\n`);
  process.exit(code ?? 1);
});
