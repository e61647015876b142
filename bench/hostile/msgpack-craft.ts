// Hand-made msgpack bytes for hostile frames: what a normal encoder never writes (BigInt-sized
// integers, extension types, headers that declare more than the frame holds, nesting thousands
// deep), plus `pack` for ordinary values. Spec: https://github.com/msgpack/msgpack/blob/master/spec.md
import { Packr } from 'msgpackr';

const packr = new Packr({ useRecords: false });

/** msgpackr's encoding of a plain value (no records, like the server's codec). */
export function pack(value: unknown): Buffer {
  return Buffer.from(packr.pack(value));
}

export function str(s: string): Buffer {
  return pack(s);
}

/** uint 64 (0xcf): msgpackr decodes values above 2^53 (and, by default, every uint64) as BigInt. */
export function uint64(v: bigint): Buffer {
  const b = Buffer.alloc(9);
  b[0] = 0xcf;
  b.writeBigUInt64BE(BigInt.asUintN(64, v), 1);
  return b;
}

/** int 64 (0xd3). */
export function int64(v: bigint): Buffer {
  const b = Buffer.alloc(9);
  b[0] = 0xd3;
  b.writeBigInt64BE(BigInt.asIntN(64, v), 1);
  return b;
}

/** float 64 (0xcb): NaN and ±Infinity travel as they are, unlike in JSON. */
export function float64(v: number): Buffer {
  const b = Buffer.alloc(9);
  b[0] = 0xcb;
  b.writeDoubleBE(v, 1);
  return b;
}

/** The header of an array or map of n items: fix (n < 16), 16-bit or 32-bit count. */
function countHeader(fix: number, code16: number, n: number): Buffer {
  if (n < 16) return Buffer.from([fix | n]);
  if (n < 0x10000) return Buffer.from([code16, n >> 8, n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = code16 + 1; // array32 / map32 follow array16 / map16
  b.writeUInt32BE(n >>> 0, 1);
  return b;
}

export const arrayHeader = (n: number): Buffer => countHeader(0x90, 0xdc, n);
export const mapHeader = (n: number): Buffer => countHeader(0x80, 0xde, n);

/** A map from ready-encoded keys and values. */
export function map(entries: readonly (readonly [string, Buffer])[]): Buffer {
  return Buffer.concat([mapHeader(entries.length), ...entries.flatMap(([k, v]) => [str(k), v])]);
}

export function array(items: readonly Buffer[]): Buffer {
  return Buffer.concat([arrayHeader(items.length), ...items]);
}

/** An extension value of any type (-128..127; -1 is the timestamp), data as given. */
export function ext(type: number, data: Uint8Array): Buffer {
  const t = type & 0xff;
  const n = data.length;
  const fixed: Record<number, number> = { 1: 0xd4, 2: 0xd5, 4: 0xd6, 8: 0xd7, 16: 0xd8 };
  let head: Buffer;
  if (fixed[n] !== undefined) head = Buffer.from([fixed[n]!, t]);
  else if (n < 0x100) head = Buffer.from([0xc7, n, t]);
  else if (n < 0x10000) head = Buffer.from([0xc8, n >> 8, n & 0xff, t]);
  else {
    head = Buffer.alloc(6);
    head[0] = 0xc9;
    head.writeUInt32BE(n, 1);
    head[5] = t;
  }
  return Buffer.concat([head, data]);
}

/** A header (array32, map32, str32, bin32 or ext32) claiming `declared` items or bytes, followed by far fewer. */
export function liar(kind: 'array' | 'map' | 'str' | 'bin' | 'ext', declared: number, tail: Uint8Array): Buffer {
  const code = { array: 0xdd, map: 0xdf, str: 0xdb, bin: 0xc6, ext: 0xc9 }[kind];
  const head = Buffer.alloc(kind === 'ext' ? 6 : 5);
  head[0] = code;
  head.writeUInt32BE(declared >>> 0, 1);
  return Buffer.concat([head, tail]);
}

/** `depth` nested one-element arrays (or maps {a: …}) around `inner`. */
export function nested(depth: number, asMaps: boolean, inner: Buffer = Buffer.from([0xc0])): Buffer {
  const layer = asMaps ? Buffer.from([0x81, 0xa1, 0x61]) : Buffer.from([0x91]);
  return Buffer.concat([Buffer.alloc(depth * layer.length).fill(layer), inner]);
}
