// Hostile WebSocket frames for /ws/device, /ws/dashboard and /ws/text, from a seeded generator:
// random bytes and text, msgpack with BigInt, deep nesting, extension types and lying length
// headers, JSON with __proto__, wrong types, huge strings, NaN/Infinity, deep nesting, near-valid
// frames with one field broken, frames whose timestamps go backwards, sparse frames that ask the
// resampler to fill long gaps, and a few valid frames so sessions move on. Each frame is tagged with
// its kind, so a report can say which family did what.
import type { Random } from '../../lib/random.js';
import { array, arrayHeader, ext, float64, int64, liar, map, nested, pack, str, uint64 } from './msgpack-craft.js';

export interface WireFrame {
  data: Buffer | string;
  binary: boolean;
  kind: string;
}

export type WsEndpoint = 'device' | 'dashboard' | 'text';

/** What one connection remembers between frames (its own clock and counter). */
export interface ConnectionState {
  seq: number;
  /** Device time of the next sample, ms. */
  t: number;
}

/** Ids of the benchmark's well-behaved devices: hostile hellos try to take them over. */
export const NEIGHBOUR_PREFIX = 'neighbour';

const text = (data: string, kind: string): WireFrame => ({ data, binary: false, kind });
const bin = (data: Buffer, kind: string): WireFrame => ({ data, binary: true, kind });

function randomBytes(r: Random, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r.next() * 256);
  return b;
}

/** Mostly small sizes, now and then large ones (up to `max`). */
function size(r: Random, max: number): number {
  const u = r.next();
  if (u < 0.8) return r.int(0, 300);
  if (u < 0.97) return r.int(300, Math.min(8192, max));
  return r.int(0, max);
}

function randomString(r: Random, n: number): string {
  const alphabets = ['abcdefghijklmnopqrstuvwxyz0123456789', '{}[]":,\\/\u0000\n\t ', 'é漢字🙂\u202e\ud800\udfff', '.._-:'];
  const a = r.pick(alphabets);
  let s = '';
  for (let i = 0; i < n; i++) s += a[Math.floor(r.next() * a.length)];
  return s;
}

/** Values that break validators: wrong types, edge numbers, prototypes, huge strings. */
export function weirdValue(r: Random, depth = 0): unknown {
  switch (r.int(0, 13)) {
    case 0:
      return r.pick([NaN, Infinity, -Infinity, -0, 1e308, -1e308, 2 ** 53 + 1, -(2 ** 63), 5e-324, 0.1]);
    case 1:
      return r.pick([null, true, false, '', '0', 'NaN', '1e999', '__proto__', 'constructor', 'toString']);
    case 2:
      return randomString(r, r.int(0, 80));
    case 3:
      return 'x'.repeat(r.int(1000, 70_000));
    case 4:
      return depth > 2 ? 1 : Array.from({ length: r.int(0, 6) }, () => weirdValue(r, depth + 1));
    case 5:
      return depth > 2 ? {} : Object.fromEntries(Array.from({ length: r.int(0, 4) }, () => [randomString(r, r.int(0, 8)), weirdValue(r, depth + 1)]));
    case 6:
      return JSON.parse('{"__proto__":{"polluted":true,"type":"samples"},"constructor":{"prototype":{"polluted":true}}}');
    case 7:
      return r.int(-1e6, 1e6);
    case 8:
      return r.uniform(-1e6, 1e6);
    case 9:
      return Array.from({ length: r.int(0, 3000) }, () => r.uniform(-20, 20));
    case 10:
      return Array.from({ length: r.int(0, 50) }, () => r.pick<unknown>(['walking', null, 1, {}, [], 'x'.repeat(100)]));
    case 11:
      return r.int(0, 1) ? 'samples' : 'hello';
    case 12:
      return new Array(r.int(0, 20)).fill(null);
    default:
      return [];
  }
}

/** A JSON object's text with members spliced in raw (NaN, Infinity, 1e999 and duplicate keys are not JSON.stringify's to write). */
function rawJson(members: readonly (readonly [string, string])[]): string {
  return `{${members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
}

function deepJson(r: Random): string {
  const n = r.int(1000, 200_000);
  return r.int(0, 1) ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n);
}

/** A BigInt, encoded as msgpack uint64/int64, somewhere a number or string is expected. */
function bigintFrame(r: Random, shape: Record<string, unknown>): Buffer {
  const keys = Object.keys(shape);
  const target = r.pick(keys);
  const big = r.int(0, 1) ? uint64(BigInt(r.int(0, 2 ** 31)) * BigInt(r.int(1, 2 ** 31))) : int64(-BigInt(r.int(1, 2 ** 31)));
  const entries = keys.map((k) => {
    if (k !== target) return [k, pack(shape[k])] as const;
    const v = shape[k];
    // Inside an array (a column) or in place of the value.
    if (Array.isArray(v) && v.length > 0 && r.int(0, 1)) return [k, array(v.map((x, i) => (i === 0 ? big : pack(x))))] as const;
    return [k, big] as const;
  });
  return map(entries);
}

function extFrame(r: Random, shape: Record<string, unknown>): Buffer {
  const keys = Object.keys(shape);
  const target = r.pick(keys);
  const n = r.pick([0, 1, 2, 4, 8, 12, 16, 300]);
  const type = r.pick([-1, -1, 0, 0x72, 0x73, 0x74, 0x78, 100, 127, -128, r.int(-128, 127)]);
  const e = ext(type, randomBytes(r, n));
  if (r.next() < 0.15) return e; // a frame that is only an extension
  return map(keys.map((k) => (k === target ? ([k, Array.isArray(shape[k]) ? array([e, e, e]) : e] as const) : ([k, pack(shape[k])] as const))));
}

function liarFrame(r: Random): Buffer {
  const kind = r.pick(['array', 'map', 'str', 'bin', 'ext'] as const);
  const declared = r.pick([0xffffffff, 0x7fffffff, 1 << 28, r.int(1, 1 << 30)]);
  const inner = liar(kind, declared, randomBytes(r, r.int(0, 64)));
  return r.int(0, 1)
    ? inner
    : map([
        ['type', str('samples')],
        ['t', inner],
      ]);
}

/** A real array of many nils or zeros (up to ~1 MiB decoded into a big JS array). */
function bigArrayFrame(r: Random, maxBytes: number): Buffer {
  const n = r.int(10_000, Math.max(10_001, maxBytes - 64));
  const items = Buffer.alloc(n, r.int(0, 1) ? 0xc0 : 0x00);
  return map([
    ['type', str('samples')],
    ['seq', pack(0)],
    ['t', Buffer.concat([arrayHeader(n), items])],
  ]);
}

/** Junk that every endpoint gets: the decoder and the message validators must answer all of it. */
function junk(r: Random, maxBytes: number, shape: Record<string, unknown>): WireFrame {
  switch (r.int(0, 11)) {
    case 0:
    case 1:
      return bin(randomBytes(r, size(r, maxBytes)), 'random-bytes');
    case 2:
      return text(randomString(r, size(r, maxBytes)), 'random-text');
    case 3:
      return { data: randomBytes(r, r.int(1, 64)), binary: false, kind: 'invalid-utf8-text' };
    case 4:
      return bin(bigintFrame(r, shape), 'msgpack-bigint');
    case 5:
      return bin(nested(r.int(100, Math.min(200_000, maxBytes - 8)), r.int(0, 1) === 1), 'msgpack-deep');
    case 6:
      return bin(extFrame(r, shape), 'msgpack-ext');
    case 7:
      return bin(r.int(0, 3) ? liarFrame(r) : bigArrayFrame(r, maxBytes), 'msgpack-huge-array');
    case 8:
      return text(deepJson(r).slice(0, maxBytes - 1), 'json-deep');
    case 9: {
      // __proto__ and constructor members (own properties after JSON.parse, not prototypes).
      const members = Object.entries(shape).map(([k, v]) => [k, JSON.stringify(v)] as const);
      members.splice(r.int(0, members.length), 0, ['__proto__', JSON.stringify({ type: 'samples', seq: 1, polluted: true, isAdmin: true })], ['constructor', '{"prototype":{"polluted":true}}']);
      return r.int(0, 1) ? text(rawJson(members), 'json-proto') : bin(map([['__proto__', pack({ polluted: true })], ...Object.entries(shape).map(([k, v]) => [k, pack(v)] as const)]), 'json-proto');
    }
    case 10: {
      // A field replaced by a weird value (JSON or msgpack).
      const broken: Record<string, unknown> = { ...shape, [r.pick(Object.keys(shape))]: weirdValue(r) };
      if (r.int(0, 1)) {
        const s = JSON.stringify(broken);
        return text(s.length <= maxBytes ? s : s.slice(0, maxBytes), 'wrong-types');
      }
      return bin(pack(broken), 'wrong-types');
    }
    default: {
      // NaN / Infinity: as JSON tokens (invalid JSON), as 1e999 (valid JSON, parses to Infinity), as msgpack floats.
      const key = r.pick(Object.keys(shape));
      const token = r.pick(['NaN', 'Infinity', '-Infinity', '1e999', '-1e999', '-0', '[NaN]', '[1e999,1,2]']);
      if (r.int(0, 2) === 0)
        return bin(
          map(Object.entries(shape).map(([k, v]) => [k, k === key ? r.pick([float64(NaN), float64(Infinity), array([float64(NaN), float64(-Infinity)])]) : pack(v)] as const)),
          'nan-infinity',
        );
      return text(rawJson(Object.entries(shape).map(([k, v]) => [k, k === key ? token : JSON.stringify(v)] as const)), 'nan-infinity');
    }
  }
}

// ---- /ws/device ---------------------------------------------------------------------------

export function deviceHello(deviceId: string, r: Random): WireFrame {
  return text(JSON.stringify({ type: 'hello', deviceId, rateHz: 50, units: r.int(0, 1) ? 'g' : 'm/s2', source: 'simulator', hasLabels: true }), 'hello');
}

function samples(c: ConnectionState, n: number, stepMs: number, labels: boolean, r: Random): Record<string, unknown> {
  const t = Array.from({ length: n }, (_, i) => Math.round((c.t + i * stepMs) * 1000) / 1000);
  c.t += n * stepMs;
  const col = () => Array.from({ length: n }, () => Math.round(r.uniform(-1.5, 1.5) * 1e4) / 1e4);
  const frame: Record<string, unknown> = { type: 'samples', seq: c.seq++, t, x: col(), y: col(), z: col() };
  if (labels) frame.labels = Array.from({ length: n }, () => r.pick(['walking', 'sitting', 'lying', null]));
  return frame;
}

/** One hostile frame for a device connection (after its hello, or instead of it). */
export function deviceFrame(r: Random, c: ConnectionState, maxBytes: number): WireFrame {
  const u = r.next();
  if (u < 0.08) return text(JSON.stringify(samples(c, r.int(1, 25), 20, false, r)), 'valid');
  if (u < 0.18) {
    // Labelled frames whose time jumps backwards (label tracking must not keep them forever).
    c.t -= r.pick([20, 1000, 60_000, 3_600_000, 1e9]);
    return text(JSON.stringify(samples(c, r.int(1, 50), 20, true, r)), 'backwards-time');
  }
  if (u < 0.21) {
    // Sparse samples far apart: the resampler must not turn one frame into hundreds of windows.
    const frame = samples(c, r.int(200, 2000), r.pick([499, 450, 300]), r.int(0, 1) === 1, r);
    return r.int(0, 1) ? text(JSON.stringify(frame), 'sparse-amplify') : bin(pack(frame), 'sparse-amplify');
  }
  if (u < 0.25) {
    const id = r.int(0, 2) ? `${NEIGHBOUR_PREFIX}-${String(r.int(1, 20)).padStart(4, '0')}` : randomString(r, r.int(0, 70));
    const hello = {
      type: 'hello',
      deviceId: id,
      rateHz: r.pick<unknown>([50, 0, -1, 1e9, NaN, '50', 10, 200]),
      units: r.pick<unknown>(['g', 'm/s2', 'G', null]),
      token: r.int(0, 3) ? undefined : weirdValue(r),
      lastWindowEnd: r.int(0, 3) ? undefined : weirdValue(r),
    };
    return r.int(0, 1) ? text(JSON.stringify(hello), 'hello-abuse') : bin(pack(hello), 'hello-abuse');
  }
  if (u < 0.252) return text(`{"type":"samples","pad":"${'x'.repeat(maxBytes + 1024)}"}`, 'oversize');
  return junk(r, maxBytes, samples({ ...c }, r.int(1, 20), 20, r.int(0, 1) === 1, r));
}

// ---- /ws/dashboard ------------------------------------------------------------------------

export function dashboardSubscribe(): WireFrame {
  return text(JSON.stringify({ type: 'subscribe', devices: '*' }), 'subscribe');
}

export function dashboardFrame(r: Random, maxBytes: number): WireFrame {
  const u = r.next();
  if (u < 0.15) {
    const devices = r.pick<unknown>(['*', [], Array.from({ length: r.int(1, 1100) }, (_, i) => `d-${i}`), Array.from({ length: r.int(1, 20) }, () => randomString(r, r.int(0, 80))), weirdValue(r)]);
    return text(JSON.stringify({ type: 'subscribe', devices, token: r.int(0, 4) ? undefined : weirdValue(r) }).slice(0, maxBytes), 'subscribe-abuse');
  }
  if (u < 0.17) return text(`{"type":"subscribe","devices":"*","pad":"${'x'.repeat(maxBytes + 1024)}"}`, 'oversize');
  return junk(r, maxBytes, { type: 'subscribe', devices: ['neighbour-0001', 'x'] });
}

// ---- /ws/text -----------------------------------------------------------------------------

export function textStart(r: Random): WireFrame {
  return text(JSON.stringify({ type: 'start', k: r.int(1, 10) }), 'start');
}

export function textFrame(r: Random, c: ConnectionState, maxBytes: number): WireFrame {
  const u = r.next();
  if (u < 0.05) return bin(map([['type', r.int(0, 1) ? uint64(1n) : int64(-1n)]]), 'msgpack-bigint'); // issue 13's one-frame crash
  if (u < 0.15) return text('{}', 'empty-object');
  if (u < 0.3) {
    const edit: Record<string, unknown> = { type: 'edit', seq: c.seq++, insert: r.int(0, 5) ? randomString(r, r.int(1, 12)) : 'y'.repeat(r.int(1000, Math.max(1001, maxBytes - 200))) };
    if (!r.int(0, 6)) edit.delete = r.pick([1, 1000, 1_000_000, -1, 1e308]);
    if (!r.int(0, 9)) edit.reset = true;
    return text(JSON.stringify(edit), 'edit');
  }
  if (u < 0.36) {
    const g = {
      type: 'generate',
      id: r.pick<unknown>([`g${r.int(0, 3)}`, '', 'x'.repeat(100), 7, weirdValue(r)]),
      maxTokens: r.pick<unknown>([1, 5, 500, 501, 1e9, -1, weirdValue(r)]),
      temperature: r.pick<unknown>([0.8, 0, 0.01, 1e9, -1, weirdValue(r)]),
      topK: r.pick<unknown>([0, 5, 1e6, weirdValue(r)]),
      prompt: r.int(0, 3) ? 'the ' : 'z'.repeat(r.int(0, 30_000)),
    };
    return text(JSON.stringify(g), 'generate-abuse');
  }
  if (u < 0.38) return text(JSON.stringify({ type: 'stop', id: r.pick<unknown>(['g0', 'g1', '', weirdValue(r)]) }), 'stop');
  if (u < 0.42)
    return text(
      JSON.stringify({
        type: 'start',
        model: r.pick<unknown>(['english-word', 'shakespeare-char', '../../etc/passwd', 'har', 'nope', weirdValue(r)]),
        k: r.pick<unknown>([3, 0, 11, 1e9, weirdValue(r)]),
      }),
      'start-abuse',
    );
  if (u < 0.44) return text(`{"type":"edit","seq":1,"insert":"${'x'.repeat(maxBytes + 1024)}"}`, 'oversize');
  return junk(r, maxBytes, { type: r.pick(['edit', 'generate', 'start', 'stop']), seq: c.seq, insert: 'ab', id: 'g0', maxTokens: 5 });
}
