import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { removeLeftoverTemps, writeFileAtomicSync } from '../../src/adapters/state/atomic-write.js';
import { useTempDirs } from './support/temp-dirs.js';

const tempDir = useTempDirs();
const BUILT = fileURLToPath(new URL('../../dist/src/adapters/state/atomic-write.js', import.meta.url));
const SIZE = 1 << 20;

// Rewrites argv[1] forever with SIZE bytes all equal to the write's number (mod 256).
const WRITER = `
import { writeFileAtomicSync } from ${JSON.stringify(BUILT)};
const path = process.argv[1];
for (let n = 1; ; n++) {
  writeFileAtomicSync(path, new Uint8Array(${SIZE}).fill(n % 256));
  if (n === 1) process.stdout.write('first\\n');
}`;

describe('writeFileAtomicSync', () => {
  it('creates and replaces the file, leaving no temp file behind', () => {
    const path = join(tempDir(), 'state.bin');
    writeFileAtomicSync(path, Buffer.from('old'));
    writeFileAtomicSync(path, Buffer.from('new content'));
    expect(readFileSync(path, 'utf8')).toBe('new content');
    expect(readdirSync(join(path, '..'))).toEqual(['state.bin']);
  });

  it('a failed write leaves the target as it was and no temp file', () => {
    const dir = tempDir();
    // Renaming a file over a non-empty directory fails after the temp file was written.
    const target = join(dir, 'target');
    mkdirSync(target);
    writeFileSync(join(target, 'inside'), 'kept');
    expect(() => writeFileAtomicSync(target, Buffer.from('new'))).toThrow();
    expect(readFileSync(join(target, 'inside'), 'utf8')).toBe('kept');
    expect(readdirSync(dir)).toEqual(['target']);
  });

  it('a process killed mid-write leaves the old or the new file, whole; leftover temps are removable', async () => {
    const dir = tempDir();
    const path = join(dir, 'big.bin');
    // Test input, not waits: kill moments spread over the next writes (a 1 MB write takes a few ms).
    // Whenever the kill lands, the file must be whole; the child writes until it is killed.
    for (const delayMs of [0, 3, 7, 12, 20]) {
      const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER, path], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('close', resolve));
      const data = readFileSync(path);
      expect(data.length).toBe(SIZE);
      expect(data.every((b) => b === data[0])).toBe(true);
      removeLeftoverTemps(dir);
      expect(readdirSync(dir)).toEqual(['big.bin']);
    }
  });

  it('removeLeftoverTemps removes only temp files', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.a.snap.123.abcd.tmp'), 'partial');
    writeFileSync(join(dir, 'a.snap'), 'kept');
    writeFileSync(join(dir, 'notes.tmp'), 'kept: not one of ours');
    removeLeftoverTemps(dir);
    expect(readdirSync(dir).sort()).toEqual(['a.snap', 'notes.tmp']);
  });
});
