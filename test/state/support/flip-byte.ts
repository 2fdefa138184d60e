import { readFileSync, writeFileSync } from 'node:fs';

/** Damages one byte of a file in place, as bit rot would. */
export function flipByte(path: string, at: number): void {
  const data = readFileSync(path);
  data.writeUInt8(data.readUInt8(at) ^ 0xff, at);
  writeFileSync(path, data);
}
