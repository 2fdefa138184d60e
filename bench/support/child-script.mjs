// Bench helper scripts (bench/support/*.mjs) run as separate Node processes, both sides:
//   - spawnScript(): a server under test (bare-server.mjs, list-server.mjs) that prints its port,
//     or a JSON line with several, on its first stdout line and serves until stopped (stopChild
//     from service-process.mjs). Its stdin is a pipe from this process: the script calls
//     exitWhenParentGoes() so that a bench that crashes leaves no server behind.
//   - runScript(): a one-shot probe (tick-via-*.mjs, scale-*-probe.mjs) run to its exit, whose
//     last stdout line is its JSON result.
// (watch-fanout.mjs's client processes talk both ways over stdin/stdout: see ClientProcess there.)
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Spawns `node [...nodeArgs] script [...args]`; `firstLine` resolves with its first stdout line. */
export function spawnScript(script, args = [], { nodeArgs = [] } = {}) {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const firstLine = new Promise((resolve, reject) => {
    const onExit = (code, signal) => reject(new Error(`${script} exited (${code ?? signal}) before it was ready`));
    child.once('exit', onExit);
    child.once('error', reject);
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      child.off('exit', onExit);
      resolve(line);
    });
  });
  return { child, firstLine };
}

/** In a spawned script: runs `stop` on SIGTERM, or when the parent goes (its stdin pipe ends). */
export function exitWhenParentGoes(stop) {
  let stopping = false;
  const once = () => {
    if (stopping) return;
    stopping = true;
    Promise.resolve(stop()).finally(() => process.exit(0));
  };
  process.once('SIGTERM', once);
  process.stdin.on('end', once).on('error', once).resume();
}

/**
 * Runs `node [...nodeArgs] script [...args]` to its exit (stdin closed, stderr passed through) and
 * resolves with { result: its last stdout line parsed as JSON, wallMs: from spawn to exit }.
 * Rejects if it exits non-zero or prints no JSON.
 */
export function runScript(script, args = [], { nodeArgs = [] } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...nodeArgs, script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let wallMs;
    child.stdout.setEncoding('utf8').on('data', (chunk) => { out += chunk; });
    child.once('error', reject);
    child.once('exit', () => { wallMs = performance.now() - started; });
    // 'close', not 'exit': only then has all of stdout been read.
    child.once('close', (code, signal) => {
      if (code !== 0) { reject(new Error(`${script} exited with ${code ?? signal}`)); return; }
      try { resolve({ result: JSON.parse(out.trim().split('\n').at(-1)), wallMs }); } catch (error) { reject(new Error(`${script}: no JSON result (${error.message})`)); }
    });
  });
}
