#!/usr/bin/env node
// `npm run check`: lint, typecheck, buf lint, buf breaking against main, and generated-code drift.
// Kept fast (the before-stop hook gives it 45 s): every step is local and incremental.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { checkDrift } from './check-drift.mjs';
import { REPO_ROOT } from './ensure-tools.mjs';

const bin = (name) => join(REPO_ROOT, 'node_modules', '.bin', name);
let failed = false;

function step(name, command, args) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: REPO_ROOT, stdio: 'inherit' });
  const ok = result.status === 0;
  process.stdout.write(`check: ${name} ${ok ? 'ok' : 'FAILED'} (${Date.now() - started} ms)\n`);
  if (!ok) failed = true;
}

function hasMainWithProto() {
  try {
    execFileSync('git', ['cat-file', '-e', 'main:proto'], { cwd: REPO_ROOT, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

step('eslint', bin('eslint'), ['.']);
step('typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
step('buf lint', bin('buf'), ['lint']);
if (hasMainWithProto()) {
  step('buf breaking (against main)', bin('buf'), ['breaking', '--against', `${join(REPO_ROOT, '.git')}#branch=main`]);
} else {
  // Only before the very first commit of proto/ on main is there nothing to compare with.
  process.stdout.write('check: buf breaking skipped: main has no proto/ yet\n');
}
const started = Date.now();
const drift = await checkDrift();
process.stdout.write(`check: generated-code drift ${drift ? 'ok' : 'FAILED'} (${Date.now() - started} ms)\n`);
if (!drift) failed = true;
process.exit(failed ? 1 : 0);
