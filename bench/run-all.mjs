#!/usr/bin/env node
// Runs every bench in bench/ one after another (each in its own process, so none inherits
// another's heap or JIT state), passing the arguments through (`--smoke` for the CI size).
//
//   npm run bench                 all, full size (needs dist/: the npm script builds first)
//   node bench/run-all.mjs --smoke
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = new URL('.', import.meta.url).pathname;
const benches = readdirSync(dir).filter((f) => f.endsWith('.mjs') && f !== 'run-all.mjs').sort();
let failed = 0;
for (const bench of benches) {
  console.log(`\n## ${bench}\n`);
  const run = spawnSync(process.execPath, [join(dir, bench), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (run.status !== 0) { failed++; console.error(`${bench} failed (exit ${run.status ?? run.signal})`); }
}
process.exit(failed === 0 ? 0 : 1);
