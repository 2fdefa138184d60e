#!/usr/bin/env node
// Checks that the generated code in gen/ is what `npm run generate` produces from proto/ now.
// Regenerates into a temporary directory (buf generate --output, buf build) and compares, byte for
// byte, every plugin `out` directory of buf.gen.yaml and gen/descriptor/instruments.binpb with the
// working tree (tracked and untracked files; git-ignored ones such as __pycache__ do not count).
// The working tree is never modified.
//
// CLI:     node scripts/check-drift.mjs      exit 0: up to date, 1: drift (files listed), 2: error
// Library: import { checkDrift, findDrift } from './check-drift.mjs';
//          const upToDate = await checkDrift();            // boolean; prints the out-of-date files
//          const { ok, differences } = await findDrift();  // details, prints nothing about them
import { execFile as execFileCb } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { REPO_ROOT, ToolInstallError } from './ensure-tools.mjs';
import { DESCRIPTOR_OUT, generate, GenerateError, HEALTH_DESCRIPTOR_OUT, templateOutDirs } from './generate.mjs';

const execFile = promisify(execFileCb);

async function walk(root, dir) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  if ((await stat(abs)).isFile()) return [dir];
  const entries = await readdir(abs, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath ?? e.path, e.name)).split(sep).join('/'));
}

/** Files under `paths` in the working tree, git-ignored files excluded when git can tell. */
async function treeFiles(paths) {
  try {
    const { stdout } = await execFile(
      'git',
      ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...paths],
      { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 },
    );
    return [...new Set(stdout.split('\0').filter(Boolean))].filter((f) => existsSync(join(REPO_ROOT, f)));
  } catch {
    // Not a git checkout: take every file but Python bytecode.
    const files = (await Promise.all(paths.map((p) => walk(REPO_ROOT, p)))).flat();
    return files.filter((f) => !/(^|\/)__pycache__\/|\.py[co]$/.test(f));
  }
}

function firstDifferingLine(a, b) {
  const la = a.toString('utf8').split('\n');
  const lb = b.toString('utf8').split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return i + 1;
  }
  return null;
}

/**
 * Regenerates into a temporary directory and compares with gen/ in the working tree.
 * @param {{ log?: (msg: string) => void }} [options]
 * @returns {Promise<{ ok: boolean, differences: { path: string, kind: 'modified'|'missing'|'extra', line?: number }[] }>}
 *   missing: generated but absent from the tree; extra: in the tree but no longer generated.
 */
export async function findDrift({ log = (m) => console.error(`check-drift: ${m}`) } = {}) {
  const roots = [...(await templateOutDirs()), DESCRIPTOR_OUT, HEALTH_DESCRIPTOR_OUT];
  const tmp = await mkdtemp(join(tmpdir(), 'live-instruments-drift-'));
  try {
    await generate({ outDir: tmp, log });
    const fresh = new Set((await Promise.all(roots.map((r) => walk(tmp, r)))).flat());
    const current = new Set(await treeFiles(roots));
    const differences = [];
    for (const path of [...new Set([...fresh, ...current])].sort()) {
      if (!current.has(path)) {
        differences.push({ path, kind: 'missing' });
      } else if (!fresh.has(path)) {
        differences.push({ path, kind: 'extra' });
      } else {
        const [want, have] = await Promise.all([readFile(join(tmp, path)), readFile(join(REPO_ROOT, path))]);
        if (!want.equals(have)) {
          const line = path.endsWith('.binpb') ? null : firstDifferingLine(want, have);
          differences.push({ path, kind: 'modified', ...(line ? { line } : {}) });
        }
      }
    }
    return { ok: differences.length === 0, differences };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

const WHAT = {
  modified: 'differs from what proto/ generates',
  missing: 'is generated but missing from the tree',
  extra: 'is no longer generated',
};

/**
 * Like findDrift, but reports: prints the out-of-date files (to stderr) and resolves to true when
 * gen/ is up to date, false on drift. Rejects when regeneration itself fails (tools, buf errors).
 * @param {{ log?: (msg: string) => void }} [options]
 * @returns {Promise<boolean>}
 */
export async function checkDrift({ log = (m) => console.error(`check-drift: ${m}`) } = {}) {
  const started = Date.now();
  const { ok, differences } = await findDrift({ log });
  if (ok) {
    log(`generated code is up to date (${Date.now() - started} ms)`);
    return true;
  }
  log(`${differences.length} generated file(s) out of date:`);
  for (const d of differences) {
    log(`  ${d.kind.padEnd(8)} ${d.path}  (${WHAT[d.kind]}${d.line ? `, first at line ${d.line}` : ''})`);
  }
  log('run `npm run generate` and commit the result (generated files are never edited by hand)');
  return false;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    if (process.argv.length > 2) throw new GenerateError(`unexpected arguments: ${process.argv.slice(2).join(' ')}`);
    process.exitCode = (await checkDrift()) ? 0 : 1;
  } catch (err) {
    console.error(err instanceof GenerateError || err instanceof ToolInstallError ? err.message : err);
    process.exit(2);
  }
}
