#!/usr/bin/env node
// Regenerates every generated artifact from proto/ (`npm run generate`):
//   gen/ts, gen/go/instruments, gen/python/instruments   buf generate with buf.gen.yaml (local plugins)
//   gen/descriptor/instruments.binpb                     buf build (FileDescriptorSet with imports, for
//                                                        the server's gRPC reflection)
// The codegen tools are installed first (pinned, see scripts/ensure-tools.mjs); grpcurl is not needed.
//
// CLI:     node scripts/generate.mjs
// Library: import { generate } from './generate.mjs';
//          await generate({ outDir: '/tmp/x' });   // writes /tmp/x/gen/... instead of the repo's gen/
import { execFile as execFileCb } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ensureTools, GO_TOOLS, REPO_ROOT, ToolInstallError } from './ensure-tools.mjs';

const execFile = promisify(execFileCb);

export const BUF = join(REPO_ROOT, 'node_modules', '.bin', 'buf');
export const BUF_GEN_TEMPLATE = 'buf.gen.yaml';
/** FileDescriptorSet of proto/ with imports, relative to the output root. */
export const DESCRIPTOR_OUT = 'gen/descriptor/instruments.binpb';
// grpc.health.v1 as served by grpc-health-check, for reflection: exact descriptor bytes, because
// proto-loader re-derives its map field wrongly and grpcurl then refuses to call Health/Check.
export const HEALTH_PROTO_DIR = 'node_modules/grpc-health-check/proto';
export const HEALTH_DESCRIPTOR_OUT = 'gen/descriptor/health.binpb';

export class GenerateError extends Error {
  constructor(message) {
    super(`generate: ${message}`);
    this.name = 'GenerateError';
  }
}

/** The `out` directories of buf.gen.yaml, relative to the repo root, without duplicates. */
export async function templateOutDirs() {
  const text = await readFile(join(REPO_ROOT, BUF_GEN_TEMPLATE), 'utf8');
  const outs = [...text.matchAll(/^\s*out:\s*["']?([^"'\s#]+)["']?\s*(?:#.*)?$/gm)].map((m) => m[1].replace(/\/+$/, ''));
  if (outs.length === 0) throw new GenerateError(`no plugin \`out\` found in ${BUF_GEN_TEMPLATE}`);
  return [...new Set(outs)].sort();
}

async function runBuf(args) {
  if (!existsSync(BUF)) {
    throw new GenerateError(`${BUF} is missing\n  fix: run \`npm ci\` (buf comes from the @bufbuild/buf devDependency)`);
  }
  try {
    await execFile(BUF, args, { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const out = [err.stderr, err.stdout].map((s) => String(s ?? '').trim()).filter(Boolean).join('\n');
    throw new GenerateError(`\`buf ${args.join(' ')}\` failed:\n${out.replace(/^/gm, '    ') || `    ${err.message}`}`);
  }
}

/** Warns when gen/go/go.mod does not require the protobuf runtime the Go plugin generates for. */
async function checkGoModVersions(log) {
  const goMod = join(REPO_ROOT, 'gen', 'go', 'go.mod');
  if (!existsSync(goMod)) return;
  const text = await readFile(goMod, 'utf8');
  const m = /google\.golang\.org\/protobuf\s+(v\S+)/.exec(text);
  const want = GO_TOOLS['protoc-gen-go'].version;
  if (m && m[1] !== want) {
    log(`warning: gen/go/go.mod requires google.golang.org/protobuf ${m[1]} but protoc-gen-go is ${want}; update it (cd gen/go && go get google.golang.org/protobuf@${want} && go mod tidy)`);
  }
}

/**
 * Runs buf generate and buf build.
 * @param {{ outDir?: string, ensure?: boolean, log?: (msg: string) => void }} [options]
 *   outDir: root the gen/ tree is written under (default: the repo). ensure: install tools first.
 */
export async function generate({ outDir = REPO_ROOT, ensure = true, log = (m) => console.error(`generate: ${m}`) } = {}) {
  if (ensure) await ensureTools({ only: ['go-plugins', 'python'], log: (m) => log(m) });
  const root = resolve(outDir);
  const toRepo = root !== REPO_ROOT;
  const descriptor = join(root, DESCRIPTOR_OUT);
  await mkdir(dirname(descriptor), { recursive: true });
  // Independent steps, so run them together.
  await Promise.all([
    runBuf(['generate', '--template', BUF_GEN_TEMPLATE, ...(toRepo ? ['--output', root] : [])]),
    runBuf(['build', '--output', descriptor]),
    runBuf(['build', HEALTH_PROTO_DIR, '--output', join(root, HEALTH_DESCRIPTOR_OUT)]),
  ]);
  if (!toRepo) await checkGoModVersions(log);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const started = Date.now();
  try {
    if (process.argv.length > 2) throw new GenerateError(`unexpected arguments: ${process.argv.slice(2).join(' ')}`);
    await generate();
    const outs = await templateOutDirs();
    console.error(`generate: wrote ${[...outs, DESCRIPTOR_OUT, HEALTH_DESCRIPTOR_OUT].join(', ')} (${Date.now() - started} ms)`);
  } catch (err) {
    console.error(err instanceof GenerateError || err instanceof ToolInstallError ? err.message : err);
    process.exit(1);
  }
}
