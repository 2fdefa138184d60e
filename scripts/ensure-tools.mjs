#!/usr/bin/env node
// Installs the repo-local code generation and test tools, pinned, idempotently:
//
//   go-plugins  .tools/bin/protoc-gen-go, .tools/bin/protoc-gen-go-grpc   (GOBIN=.tools/bin go install)
//   grpcurl     .tools/bin/grpcurl                                        (GOBIN=.tools/bin go install)
//   ghz         .tools/bin/ghz, the gRPC load generator of the benchmarks  (GOBIN=.tools/bin go install)
//   python      .venv with grpcio-tools, grpcio, protobuf, pytest         (python3 -m venv + pip)
//               and this repo's gen/python and clients/python, editable    (pip install --no-deps -e)
//   chromium    /usr/bin/chromium, for the dashboard browser test        (apt-get install chromium)
//   promtool    /usr/bin/promtool, checks the Prometheus alert rules       (apt-get install prometheus)
//   redis       redis-server on PATH, for the Redis-mode replica tests     (apt-get install redis-server)
//
// Whatever is already there at the pinned version is left alone, so a warm run takes well under a
// second. Anything that cannot be installed fails the run with a message naming the tool and the fix:
// nothing is ever skipped silently.
//
// CLI:     node scripts/ensure-tools.mjs [--only go-plugins,python,grpcurl,ghz,chromium,promtool,redis] [--quiet]
// Library: import { ensureTools } from './ensure-tools.mjs';
//          await ensureTools({ only: ['go-plugins', 'python'] });
import { execFile as execFileCb } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, stat, writeFile, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const execFile = promisify(execFileCb);

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const TOOLS_BIN = join(REPO_ROOT, '.tools', 'bin');
export const VENV_DIR = join(REPO_ROOT, '.venv');
export const VENV_PYTHON = join(VENV_DIR, 'bin', 'python');

/** Minimum Go toolchain: protoc-gen-go-grpc v1.6.2 and grpcurl v1.9.4 declare `go 1.25.0`. */
export const MIN_GO = '1.25';

/** Go tools, installed with `go install PKG@VERSION` into .tools/bin. */
export const GO_TOOLS = {
  'protoc-gen-go': {
    group: 'go-plugins',
    pkg: 'google.golang.org/protobuf/cmd/protoc-gen-go',
    module: 'google.golang.org/protobuf',
    version: 'v1.36.12',
  },
  'protoc-gen-go-grpc': {
    group: 'go-plugins',
    pkg: 'google.golang.org/grpc/cmd/protoc-gen-go-grpc',
    module: 'google.golang.org/grpc/cmd/protoc-gen-go-grpc',
    version: 'v1.6.2',
  },
  grpcurl: {
    group: 'grpcurl',
    pkg: 'github.com/fullstorydev/grpcurl/cmd/grpcurl',
    module: 'github.com/fullstorydev/grpcurl',
    version: 'v1.9.4',
  },
  ghz: {
    group: 'ghz',
    pkg: 'github.com/bojand/ghz/cmd/ghz',
    module: 'github.com/bojand/ghz',
    version: 'v0.121.0',
  },
};

/** Python packages, pinned exactly, installed into .venv. */
export const PYTHON_PACKAGES = {
  'grpcio-tools': '1.85.1',
  grpcio: '1.85.1',
  protobuf: '7.36.2',
  pytest: '9.2.0',
};

/**
 * This repository's own Python distributions, installed editable and without dependencies (the
 * pins above are theirs; live-instruments-client is on no index) into .venv, so tests import them
 * as installed packages that always show the working tree. Checked by the editable URL pip records.
 */
export const PYTHON_LOCAL_PACKAGES = {
  'live-instruments-client': 'gen/python',
  'live-instruments-mirror': 'clients/python',
};

/** Debian's Chromium, driven by playwright-core in test/dashboard (no browser download: offline). */
export const CHROMIUM = '/usr/bin/chromium';

export const GROUPS = ['go-plugins', 'python', 'grpcurl', 'ghz', 'chromium', 'promtool', 'redis'];

export class ToolInstallError extends Error {
  constructor(tool, message, fix) {
    super(`ensure-tools: ${tool}: ${message}${fix ? `\n  fix: ${fix}` : ''}`);
    this.name = 'ToolInstallError';
    this.tool = tool;
  }
}

function commandOutput(err) {
  const parts = [err.stderr, err.stdout].map((s) => String(s ?? '').trim()).filter(Boolean);
  return parts.length ? `\n${parts.join('\n').replace(/^/gm, '    ')}` : ` (${err.message})`;
}

/** Environment for every `go` invocation: no toolchain downloads, no workspace, module mode. */
function goEnv() {
  const flags = (process.env.GOFLAGS ?? '').split(/\s+/).filter((f) => f && !f.startsWith('-mod='));
  flags.push('-mod=mod');
  return {
    ...process.env,
    GOBIN: TOOLS_BIN,
    GOTOOLCHAIN: 'local',
    GOWORK: 'off',
    GOFLAGS: flags.join(' '),
  };
}

/** The module path and version a Go binary was built from, or null if it is missing/unreadable. */
async function goBinaryVersion(bin) {
  if (!existsSync(bin)) return null;
  try {
    const { stdout } = await execFile('go', ['version', '-m', bin], { env: goEnv() });
    const mod = stdout.split('\n').map((l) => l.trim().split(/\s+/)).find((f) => f[0] === 'mod');
    return mod ? { module: mod[1], version: mod[2] } : null;
  } catch {
    return null;
  }
}

let goChecked;
/** Verifies that a usable `go` (>= MIN_GO) is on PATH, once per process. */
function checkGo() {
  goChecked ??= (async () => {
    let out;
    try {
      ({ stdout: out } = await execFile('go', ['env', 'GOVERSION'], { env: goEnv() }));
    } catch (err) {
      throw new ToolInstallError(
        'go',
        err.code === 'ENOENT' ? '`go` is not on PATH' : `\`go env GOVERSION\` failed${commandOutput(err)}`,
        `install Go >= ${MIN_GO} (https://go.dev/doc/install) and put it on PATH`,
      );
    }
    const m = /^go(\d+)\.(\d+)/.exec(out.trim());
    const [wantMajor, wantMinor] = MIN_GO.split('.').map(Number);
    if (!m || Number(m[1]) < wantMajor || (Number(m[1]) === wantMajor && Number(m[2]) < wantMinor)) {
      throw new ToolInstallError(
        'go',
        `found ${out.trim() || 'an unknown Go version'}, need >= go${MIN_GO} (GOTOOLCHAIN=local: no toolchain download)`,
        `install Go >= ${MIN_GO} and put it first on PATH`,
      );
    }
  })();
  return goChecked;
}

async function ensureGoTool(name, log, checkOnly) {
  const tool = GO_TOOLS[name];
  const bin = join(TOOLS_BIN, name);
  const have = await goBinaryVersion(bin);
  if (have && have.module === tool.module && have.version === tool.version) return false;
  if (checkOnly) return true;
  await checkGo();
  log(`installing ${name} ${tool.version}${have ? ` (found ${have.version})` : ''} ...`);
  await mkdir(TOOLS_BIN, { recursive: true });
  try {
    await execFile('go', ['install', `${tool.pkg}@${tool.version}`], {
      cwd: REPO_ROOT,
      env: goEnv(),
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    throw new ToolInstallError(
      name,
      `\`GOBIN=${TOOLS_BIN} go install ${tool.pkg}@${tool.version}\` failed${commandOutput(err)}`,
      'check that the Go module proxy is reachable (GOPROXY) and Go is recent enough, then rerun `node scripts/ensure-tools.mjs`',
    );
  }
  const got = await goBinaryVersion(bin);
  if (!got || got.version !== tool.version) {
    throw new ToolInstallError(
      name,
      `after install, ${bin} reports ${got ? got.version : 'no version'} instead of ${tool.version}`,
      `delete ${bin} and rerun \`node scripts/ensure-tools.mjs\``,
    );
  }
  return true;
}

// Per distribution: its version, or the file URL of its source tree when installed editable.
const PY_VERSIONS_SNIPPET = `
import importlib.metadata as m, json, sys
out = {}
for name in sys.argv[1:]:
    try:
        dist = m.distribution(name)
    except m.PackageNotFoundError:
        out[name] = None
        continue
    url = json.loads(dist.read_text("direct_url.json") or "{}")
    out[name] = url.get("url") if url.get("dir_info", {}).get("editable") else dist.version
print(json.dumps(out))
`;

/** What .venv must hold: each pin's version, each local package's editable source URL. */
const PYTHON_WANTED = {
  ...PYTHON_PACKAGES,
  ...Object.fromEntries(Object.entries(PYTHON_LOCAL_PACKAGES).map(([n, dir]) => [n, pathToFileURL(join(REPO_ROOT, dir)).href])),
};

/** Installed versions (or editable URLs) in .venv, or null if the venv is missing or broken. */
async function venvVersions() {
  if (!existsSync(VENV_PYTHON)) return null;
  try {
    const { stdout } = await execFile(VENV_PYTHON, ['-I', '-c', PY_VERSIONS_SNIPPET, ...Object.keys(PYTHON_WANTED)]);
    return JSON.parse(stdout);
  } catch {
    return null;
  }
}

async function ensurePython(log, checkOnly) {
  let have = await venvVersions();
  const wrong = () => Object.entries(PYTHON_WANTED).filter(([name, v]) => have?.[name] !== v);
  if (have && wrong().length === 0) return false;
  if (checkOnly) return true;

  if (!have) {
    const python = process.env.PYTHON ?? 'python3';
    if (existsSync(VENV_DIR)) {
      log(`.venv exists but ${VENV_PYTHON} does not run; recreating it ...`);
      await rm(VENV_DIR, { recursive: true, force: true });
    } else {
      log('creating .venv ...');
    }
    try {
      await execFile(python, ['-m', 'venv', VENV_DIR], { cwd: REPO_ROOT });
    } catch (err) {
      throw new ToolInstallError(
        'python',
        err.code === 'ENOENT'
          ? `\`${python}\` not found (not on PATH?)`
          : `\`${python} -m venv ${VENV_DIR}\` failed${commandOutput(err)}`,
        'install Python >= 3.10 with the venv module (Debian: apt-get install python3 python3-venv), or set PYTHON=/path/to/python3',
      );
    }
    have = await venvVersions();
    if (!have) {
      throw new ToolInstallError('python', `${VENV_PYTHON} does not run after creating the venv`, `rm -rf ${VENV_DIR} and retry`);
    }
  }

  const pins = wrong().filter(([name]) => name in PYTHON_PACKAGES).map(([name, v]) => `${name}==${v}`);
  if (pins.length > 0) await pipInstallPins(pins, log);
  const local = wrong().filter(([name]) => name in PYTHON_LOCAL_PACKAGES).map(([name]) => PYTHON_LOCAL_PACKAGES[name]);
  if (local.length > 0) await pipInstallLocal(local, log);
  have = await venvVersions();
  const still = wrong();
  if (still.length) {
    throw new ToolInstallError(
      'python',
      `after pip install, .venv still has ${still.map(([n]) => `${n}==${have?.[n] ?? '(missing)'}`).join(', ')}`,
      '`rm -rf .venv` and rerun `node scripts/ensure-tools.mjs --only python`',
    );
  }
  return true;
}

const PIP_OPTIONS = { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, PIP_REQUIRE_VIRTUALENV: '0' } };
const PIP_INSTALL = ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet'];

async function pipInstallPins(pins, log) {
  log(`installing into .venv: ${pins.join(' ')} ...`);
  try {
    // Install every pin together so pip resolves them as one consistent set.
    await execFile(VENV_PYTHON, [...PIP_INSTALL, ...Object.entries(PYTHON_PACKAGES).map(([n, v]) => `${n}==${v}`)], PIP_OPTIONS);
  } catch (err) {
    throw new ToolInstallError(
      'python',
      `pip install of ${pins.join(' ')} into .venv failed${commandOutput(err)}`,
      'check that PyPI is reachable (pip config / PIP_INDEX_URL), or `rm -rf .venv` and rerun `node scripts/ensure-tools.mjs --only python`',
    );
  }
}

async function pipInstallLocal(dirs, log) {
  log(`installing into .venv (editable): ${dirs.join(' ')} ...`);
  try {
    // The build backend (hatchling) comes from PyPI into pip's isolated build environment.
    await execFile(VENV_PYTHON, [...PIP_INSTALL, '--no-deps', ...dirs.flatMap((d) => ['-e', join(REPO_ROOT, d)])], PIP_OPTIONS);
  } catch (err) {
    throw new ToolInstallError(
      'python',
      `pip install --no-deps -e ${dirs.join(' ')} into .venv failed${commandOutput(err)}`,
      'check that PyPI is reachable (the build backend hatchling comes from there) and that the pyproject.toml builds, then rerun `node scripts/ensure-tools.mjs --only python`',
    );
  }
}

/** Runs apt-get as root, or through non-interactive sudo (a test run must never wait for a password). */
function aptGet(args) {
  const root = process.getuid?.() === 0;
  const [cmd, argv] = root ? ['apt-get', args] : ['sudo', ['-n', 'apt-get', ...args]];
  return execFile(cmd, argv, {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** Debian packages the tests drive: each group, its package and the binary that proves it is there. */
const DEBIAN_TOOLS = {
  chromium: { pkg: 'chromium', binary: CHROMIUM },
  // promtool checks and unit-tests deploy/prometheus/alerts.yml (the server binary comes along unused).
  promtool: { pkg: 'prometheus', binary: '/usr/bin/promtool' },
  // Redis mode's tests start their own redis-server on a loopback port; one already on PATH will do.
  redis: { pkg: 'redis-server', binary: '/usr/bin/redis-server', command: 'redis-server' },
};

/** The first executable named `command` on PATH, or undefined. */
export function onPath(command) {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir !== '' && existsSync(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

const present = (t) => existsSync(t.binary) || (t.command !== undefined && onPath(t.command) !== undefined);

/** Installs the missing Debian packages of `groups` in one apt-get run (dpkg takes one at a time). */
async function ensureDebian(groups, log, checkOnly) {
  const missing = Object.entries(DEBIAN_TOOLS).filter(([group, t]) => groups.includes(group) && !present(t));
  if (missing.length === 0) return false;
  if (checkOnly) return true;
  const pkgs = missing.map(([, t]) => t.pkg);
  const install = ['install', '-y', '--no-install-recommends', ...pkgs];
  const fix = `run \`apt-get update && apt-get install -y --no-install-recommends ${pkgs.join(' ')}\` as root (Debian), then rerun \`node scripts/ensure-tools.mjs --only ${missing.map(([g]) => g).join(',')}\``;
  log(`installing ${pkgs.join(', ')} (apt-get) ...`);
  try {
    await aptGet(install);
  } catch (first) {
    // A fresh machine has no package lists ("Unable to locate package"): fetch them once, retry.
    log(`apt-get install failed; running apt-get update and retrying ...${commandOutput(first)}`);
    try {
      await aptGet(['update']);
      await aptGet(install);
    } catch (err) {
      throw new ToolInstallError(pkgs.join(', '), `apt-get install ${pkgs.join(' ')} failed${commandOutput(err)}`, fix);
    }
  }
  for (const [, t] of missing) {
    if (!existsSync(t.binary)) throw new ToolInstallError(t.pkg, `apt-get install succeeded but ${t.binary} is missing`, fix);
  }
  return true;
}

// A lock so that concurrent runs (e.g. generate and check-drift started together) do not install
// into the same place at once. Only taken when something has to be installed.
const LOCK_DIR = join(REPO_ROOT, '.tools', '.ensure-tools.lock');
const LOCK_STALE_MS = 15 * 60 * 1000;

async function withLock(fn) {
  await mkdir(dirname(LOCK_DIR), { recursive: true });
  const deadline = Date.now() + LOCK_STALE_MS;
  for (;;) {
    try {
      await mkdir(LOCK_DIR);
      await writeFile(join(LOCK_DIR, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let stale = false;
      try {
        const pid = Number(await readFile(join(LOCK_DIR, 'pid'), 'utf8'));
        if (pid) process.kill(pid, 0);
        const { mtimeMs } = await stat(LOCK_DIR);
        stale = Date.now() - mtimeMs > LOCK_STALE_MS;
      } catch (e) {
        stale = e.code === 'ESRCH'; // holder is gone
      }
      if (stale) {
        await rm(LOCK_DIR, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new ToolInstallError('lock', `${LOCK_DIR} is held by another run`, `remove ${LOCK_DIR} if no other ensure-tools is running`);
      }
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(LOCK_DIR, { recursive: true, force: true });
  }
}

/** Checks (checkOnly) or installs the groups' tools; resolves to whether any was/needs installing. */
async function runGroups(groups, log, checkOnly = false) {
  const tasks = [];
  for (const [name, tool] of Object.entries(GO_TOOLS)) {
    if (groups.includes(tool.group)) tasks.push(ensureGoTool(name, log, checkOnly));
  }
  if (groups.includes('python')) tasks.push(ensurePython(log, checkOnly));
  tasks.push(ensureDebian(groups, log, checkOnly));
  const results = await Promise.allSettled(tasks);
  const errors = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) {
    const err = new ToolInstallError('several tools', `\n${errors.map((e) => e.message).join('\n')}`);
    err.errors = errors;
    throw err;
  }
  return results.some((r) => r.value === true);
}

/**
 * Makes sure the pinned tools are installed in the repo.
 * @param {{ only?: string[], log?: (msg: string) => void }} [options]
 *   only: subset of GROUPS ('go-plugins', 'python', 'grpcurl', 'ghz', 'chromium', 'promtool', 'redis'); default all.
 * @returns {Promise<{ installed: boolean, paths: object }>} installed: whether anything was installed.
 * @throws {ToolInstallError} naming the tool that could not be installed and how to fix it.
 */
export async function ensureTools({ only = GROUPS, log = (m) => console.error(`ensure-tools: ${m}`) } = {}) {
  const unknown = only.filter((g) => !GROUPS.includes(g));
  if (unknown.length) {
    throw new ToolInstallError('options', `unknown group(s) ${unknown.join(', ')}`, `use some of: ${GROUPS.join(', ')}`);
  }
  // Fast path: only check, without the lock; install (re-checking first) under the lock.
  let installed = false;
  if (await runGroups(only, log, true)) installed = await withLock(() => runGroups(only, log));
  return { installed, paths: toolPaths() };
}

/** Absolute paths of the tools, for scripts that run them. */
export function toolPaths() {
  return {
    protocGenGo: join(TOOLS_BIN, 'protoc-gen-go'),
    protocGenGoGrpc: join(TOOLS_BIN, 'protoc-gen-go-grpc'),
    grpcurl: join(TOOLS_BIN, 'grpcurl'),
    python: VENV_PYTHON,
    chromium: CHROMIUM,
    redisServer: onPath('redis-server') ?? DEBIAN_TOOLS.redis.binary,
  };
}

function parseArgs(argv) {
  const opts = { only: GROUPS, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only' || a.startsWith('--only=')) {
      const v = a === '--only' ? argv[++i] : a.slice('--only='.length);
      if (!v) throw new ToolInstallError('options', '--only needs a value', `e.g. --only ${GROUPS.join(',')}`);
      opts.only = v.split(',').map((s) => s.trim()).filter(Boolean);
    } else if (a === '--quiet' || a === '-q') {
      opts.quiet = true;
    } else if (a === '--help' || a === '-h') {
      console.log(`usage: node scripts/ensure-tools.mjs [--only ${GROUPS.join(',')}] [--quiet]`);
      process.exit(0);
    } else {
      throw new ToolInstallError('options', `unknown argument ${a}`, 'see --help');
    }
  }
  return opts;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    const opts = parseArgs(process.argv.slice(2));
    const started = Date.now();
    const { installed } = await ensureTools({ only: opts.only, ...(opts.quiet ? { log: () => {} } : {}) });
    if (!opts.quiet) {
      console.error(
        `ensure-tools: ${opts.only.join(', ')}: ${installed ? 'installed' : 'already up to date'} (${Date.now() - started} ms)`,
      );
    }
  } catch (err) {
    console.error(err instanceof ToolInstallError ? err.message : err);
    process.exit(1);
  }
}
