import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const TEMP_SUFFIX = '.tmp';

/**
 * Replaces `path` with `data` so that after a crash at any moment the file holds either the old
 * or the new content, whole. The temp file is in the same directory (rename is atomic only within
 * one file system) and fsynced before the rename, so the rename cannot expose unwritten data; the
 * directory is fsynced after it, so the new name survives a power loss too. Synchronous: callers
 * order other writes after it.
 */
export function writeFileAtomicSync(path: string, data: Uint8Array): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
  const fd = openSync(temp, 'wx');
  try {
    try {
      writeAllSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  fsyncDirSync(dir);
}

/** writeSync may write less than asked; loops until all of `data` is written. */
export function writeAllSync(fd: number, data: Uint8Array): void {
  for (let offset = 0; offset < data.length; ) offset += writeSync(fd, data, offset, data.length - offset);
}

/** Makes the directory's entries (created, renamed, deleted files) durable. */
export function fsyncDirSync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Deletes temp files left by writes a crash interrupted. Only while no write can be in flight
 * (at open, by the one process that owns the directory).
 */
export function removeLeftoverTemps(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.') && name.endsWith(TEMP_SUFFIX)) rmSync(join(dir, name), { force: true });
  }
}
