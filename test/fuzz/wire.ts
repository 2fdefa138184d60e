// Hand encoding of the protobuf wire format, so a case can say exactly which bytes it sends:
// invalid UTF-8 inside a string field, 10-byte negative varints, wrong wire types, lengths that
// point past the end. And the mutations that turn a valid encoding into a broken one.
import type { FuzzRandom } from './fuzz-random.js';

export const VARINT = 0;
export const FIXED64 = 1;
export const LEN = 2;
export const START_GROUP = 3;
export const END_GROUP = 4;
export const FIXED32 = 5;

/** A varint; negative numbers as their 64-bit two's complement (10 bytes), as protobuf does. */
export function varint(value: number | bigint): Buffer {
  let v = BigInt(value);
  if (v < 0n) v += 1n << 64n;
  const out: number[] = [];
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}

export const tag = (field: number, wireType: number): Buffer => varint((BigInt(field) << 3n) | BigInt(wireType));

export const varintField = (field: number, value: number | bigint): Buffer => Buffer.concat([tag(field, VARINT), varint(value)]);

/** A length-delimited field: a string (UTF-8), raw bytes, or an embedded message's bytes. */
export function lenField(field: number, value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([tag(field, LEN), varint(bytes.length), bytes]);
}

/** A string field nested along `path` ([2, 1]: field 1 inside the message in field 2). */
export function nestedField(path: readonly number[], value: string | Buffer): Buffer {
  let bytes = lenField(path.at(-1) as number, value);
  for (const field of path.slice(0, -1).reverse()) bytes = lenField(field, bytes);
  return bytes;
}

/** Byte sequences that are not UTF-8, each a different way of being wrong. */
export const INVALID_UTF8: ReadonlyArray<{ name: string; bytes: Buffer }> = [
  { name: 'byte 0xFF', bytes: Buffer.from([0xff]) },
  { name: 'lone continuation byte', bytes: Buffer.from([0x80]) },
  { name: 'overlong "/"', bytes: Buffer.from([0xc0, 0xaf]) },
  { name: 'UTF-16 surrogate D800', bytes: Buffer.from([0xed, 0xa0, 0x80]) },
  { name: 'surrogate pair as CESU-8', bytes: Buffer.from([0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]) },
  { name: 'truncated 3-byte sequence', bytes: Buffer.from([0xe2, 0x82]) },
  { name: 'above U+10FFFF', bytes: Buffer.from([0xf4, 0x90, 0x80, 0x80]) },
  { name: 'NUL and 0xFE', bytes: Buffer.from([0x00, 0xfe]) },
];

/** Turns a valid encoding into a (likely) broken one; says what it did. */
export function mutate(r: FuzzRandom, valid: Buffer): { bytes: Buffer; how: string } {
  const b = Buffer.from(valid);
  switch (r.int(10)) {
    case 0: {
      const flips = r.range(1, 4);
      for (let i = 0; i < flips && b.length > 0; i++) {
        const at = r.int(b.length);
        b[at] = (b[at] as number) ^ (1 << r.int(8));
      }
      return { bytes: b, how: `${flips} bit flips` };
    }
    case 1: {
      const at = r.int(Math.max(1, b.length));
      return { bytes: b.subarray(0, at), how: `truncated to ${at} of ${b.length} bytes` };
    }
    case 2:
      return { bytes: Buffer.concat([b, b]), how: 'every field duplicated (message sent twice back to back)' };
    case 3: {
      const field = r.pick([15, 99, 1000, 536_870_911]);
      const wireType = r.pick([VARINT, FIXED64, LEN, FIXED32]);
      const payload = wireType === VARINT ? varint(r.next()) : wireType === FIXED64 ? r.bytes(8) : wireType === FIXED32 ? r.bytes(4) : varint(0);
      return { bytes: Buffer.concat([b, tag(field, wireType), payload]), how: `unknown field ${field} (wire type ${wireType}) appended` };
    }
    case 4: {
      // A known field number with another wire type: a string as a varint, an int as bytes.
      const field = r.range(1, 8);
      const wrong = r.pick([Buffer.concat([tag(field, VARINT), varint(r.next())]), Buffer.concat([tag(field, FIXED32), r.bytes(4)]), lenField(field, r.bytes(3))]);
      return { bytes: Buffer.concat([wrong, b]), how: `field ${field} with a wrong wire type prepended` };
    }
    case 5: {
      const length = r.pick([2 ** 31 - 1, 2 ** 32, 2n ** 63n, 2n ** 64n - 1n, 1_000_000]);
      return { bytes: Buffer.concat([tag(r.range(1, 8), LEN), varint(length), r.bytes(r.int(16)), b]), how: `length prefix ${length} with few bytes after it` };
    }
    case 6: {
      const depth = r.pick([10, 1000, 100_000]);
      const open = Buffer.concat(Array.from({ length: depth }, () => tag(9, START_GROUP)));
      return { bytes: Buffer.concat([b, open]), how: `${depth} nested unclosed groups appended` };
    }
    case 7: {
      const wireType = r.pick([6, 7]);
      return { bytes: Buffer.concat([b, tag(r.range(1, 8), wireType), r.bytes(4)]), how: `invalid wire type ${wireType} appended` };
    }
    case 8:
      return { bytes: Buffer.concat([Buffer.from([0x00]), b]), how: 'field number 0 prepended' };
    default:
      return { bytes: Buffer.concat([b, tag(r.range(1, 8), VARINT), Buffer.alloc(11, 0xff)]), how: 'unterminated 11-byte varint appended' };
  }
}
