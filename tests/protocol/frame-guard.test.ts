// The pre-decode shape check: frames nested too deep or holding too many values are refused from
// their bytes (before JSON.parse / msgpack unpack pay for them); every honest frame passes.
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from '../../protocol/codec.js';
import { checkJsonShape, checkMsgpackShape, deviceFrameShape, TEXT_FRAME_SHAPE, type FrameShapeLimits } from '../../protocol/frame-guard.js';

const packr = new Packr({ useRecords: false });
const limits = (maxDepth: number, maxItems = 1_000_000): FrameShapeLimits => ({ maxDepth, maxItems });

/** Nesting depth of a value (a scalar is 0, [] is 1). */
function depthOf(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  const children = Array.isArray(v) ? v : Object.values(v as object);
  return 1 + Math.max(0, ...children.map(depthOf));
}

/** Every value, map keys included (what the msgpack check counts; the JSON count is lower). */
function valuesOf(v: unknown): number {
  if (v === null || typeof v !== 'object') return 1;
  if (Array.isArray(v)) return 1 + v.reduce((s: number, c) => s + valuesOf(c), 0);
  return 1 + Object.values(v as object).reduce((s: number, c) => s + 1 + valuesOf(c), 0);
}

function sampleFrame(n: number, labels: boolean): Record<string, unknown> {
  const t = Array.from({ length: n }, (_, i) => 1_733_280_000_000 + i * 5.123456789);
  const col = () => Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) * 1.23456789012345);
  return { type: 'samples', seq: 12, t, x: col(), y: col(), z: col(), ...(labels ? { labels: Array.from({ length: n }, () => 'walking-upstairs') } : {}) };
}

describe('checkJsonShape', () => {
  it('refuses nesting one level past the limit, as text and as bytes', () => {
    for (const open of ['[', '{"a":']) {
      const close = open === '[' ? ']' : '}';
      const at = (d: number) => open.repeat(d) + '1' + close.repeat(d);
      expect(checkJsonShape(at(8), limits(8)).ok).toBe(true);
      expect(checkJsonShape(at(9), limits(8))).toEqual({ ok: false, error: 'frame nests deeper than 8 levels' });
      expect(checkJsonShape(Buffer.from(at(9)), limits(8)).ok).toBe(false);
    }
  });

  it('ignores brackets and commas inside strings, escaped quotes included', () => {
    const s = JSON.stringify({ insert: '[[[[[[[[[[,,,,,,{{{{{{ \\" " \\\\', other: 'x"[[[[[[[[[' });
    expect(checkJsonShape(s, limits(1, 3)).ok).toBe(true);
    expect(checkJsonShape(Buffer.from(s), limits(1, 3)).ok).toBe(true);
    expect(checkJsonShape('["a\\\\",[[', limits(2)).ok).toBe(false); // the string ends at the second quote
  });

  it('refuses a frame with more values than the limit (a flat array of a million zeros)', () => {
    const flat = `[${new Array(1_000_000).fill(0).join(',')}]`;
    expect(checkJsonShape(flat, deviceFrameShape(2000))).toEqual({ ok: false, error: `frame holds more than ${6 * 2000 + 64} values` });
  });

  it('passes any JSON value within its own depth, refuses it one level shallower', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
        const text = JSON.stringify(v);
        const d = depthOf(v);
        expect(checkJsonShape(text, limits(Math.max(1, d), valuesOf(v))).ok).toBe(true);
        expect(checkJsonShape(Buffer.from(text), limits(Math.max(1, d), valuesOf(v))).ok).toBe(true);
        if (d >= 2) expect(checkJsonShape(text, limits(d - 1)).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('checkMsgpackShape', () => {
  const nested = (depth: number) => Buffer.concat([Buffer.alloc(depth, 0x91), Buffer.from([0xc0])]);

  it('refuses nesting past the limit and arrays of a million nils, from their headers', () => {
    expect(checkMsgpackShape(nested(8), limits(8)).ok).toBe(true);
    expect(checkMsgpackShape(nested(9), limits(8))).toEqual({ ok: false, error: 'frame nests deeper than 8 levels' });
    const nils = Buffer.concat([Buffer.from([0xdd, 0x00, 0x0f, 0x42, 0x40]), Buffer.alloc(1_000_000, 0xc0)]);
    expect(checkMsgpackShape(nils, deviceFrameShape(2000)).ok).toBe(false);
  });

  it('refuses headers that declare more than the frame holds', () => {
    for (const liar of [
      [0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0],
      [0xdf, 0x7f, 0xff, 0xff, 0xff],
      [0xdb, 0x10, 0, 0, 0, 0x61],
      [0xc6, 0, 1, 0, 0],
      [0xc9, 0, 0, 1, 0, 5],
    ]) {
      expect(checkMsgpackShape(Buffer.from(liar), limits(8))).toEqual({ ok: false, error: 'msgpack frame is shorter than its headers declare' });
    }
  });

  it('passes any value as msgpackr packs it, within its own depth and count; refuses it one level shallower', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
        const bytes = packr.pack(v);
        const d = depthOf(v);
        expect(checkMsgpackShape(bytes, limits(Math.max(1, d), valuesOf(v))).ok).toBe(true);
        if (d >= 2) expect(checkMsgpackShape(bytes, limits(d - 1)).ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses bytes after the value: an inline record definition would have msgpackr decode them unchecked', () => {
    // d4 72 40: msgpackr's record definition (fixext1 0x72), then an array of a million nils that
    // the guard, reading one value, never looked at: 100+ ms of decoding before this check.
    const nils = Buffer.concat([Buffer.from([0xd4, 0x72, 0x40, 0xdd, 0x00, 0x0f, 0x42, 0x40]), Buffer.alloc(1_000_000, 0xc0)]);
    expect(checkMsgpackShape(nils, deviceFrameShape(2000))).toEqual({ ok: false, error: 'msgpack frame holds bytes after its value' });
    expect(checkMsgpackShape(Buffer.from([0x01, 0x02]), limits(8))).toEqual({ ok: false, error: 'msgpack frame holds bytes after its value' });
    expect(checkMsgpackShape(packr.pack({ samples: [1, 2, 3] }), limits(8)).ok).toBe(true);
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const r = checkMsgpackShape(bytes, limits(4, 50));
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });
});

describe('decodeFrame with a shape', () => {
  it('passes the largest honest device frames: 2000 samples with labels, JSON and msgpack, typed arrays too', () => {
    const shape = deviceFrameShape(2000);
    for (const labels of [false, true]) {
      const frame = sampleFrame(2000, labels);
      expect(decodeFrame(encodeFrame(frame, 'json'), false, shape)).toEqual({ ok: true, value: frame });
      expect(decodeFrame(encodeFrame(frame, 'msgpack'), true, shape)).toEqual({ ok: true, value: frame });
    }
    const typed = { type: 'samples', seq: 1, t: new Uint8Array(new Float64Array(2000).buffer), x: new Uint8Array(new Float32Array(2000).buffer), y: new Uint8Array(8000), z: new Uint8Array(8000) };
    expect(decodeFrame(encodeFrame(typed, 'msgpack'), true, shape).ok).toBe(true);
  });

  it('answers a refused frame with a decode error naming the limit', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(decodeFrame(deep, false, TEXT_FRAME_SHAPE)).toEqual({ ok: false, error: 'JSON frame refused: frame nests deeper than 8 levels' });
    expect(decodeFrame(Buffer.concat([Buffer.alloc(100_000, 0x91), Buffer.from([0xc0])]), true, TEXT_FRAME_SHAPE)).toEqual({
      ok: false,
      error: 'msgpack frame refused: frame nests deeper than 8 levels',
    });
    // Without a shape, decoding is as before.
    expect(decodeFrame('[[[1]]]', false)).toEqual({ ok: true, value: [[[1]]] });
  });
});
