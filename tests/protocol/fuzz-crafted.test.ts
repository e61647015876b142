// The frames `npm run bench -- fuzz` throws at the server, through the decoder and every message
// validator in this process: seeded hostile frames for /ws/device, /ws/dashboard and /ws/text
// (bench/hostile/ws-payloads.ts), and hand-made msgpack (64-bit integers, extension types,
// headers that claim gigabytes, nesting thousands deep). Nothing may throw. The crafted bytes are
// also checked to mean what the benchmark says they mean, so the benchmark attacks what it claims.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arrayHeader, ext, float64, int64, liar, map, mapHeader, nested, pack, uint64 } from '../../bench/hostile/msgpack-craft.js';
import { dashboardFrame, deviceFrame, textFrame, type WireFrame } from '../../bench/hostile/ws-payloads.js';
import { decodeFrame } from '../../protocol/codec.js';
import { DEFAULT_LIMITS } from '../../protocol/sensor-messages.js';
import { parseTextClientMessage } from '../../protocol/text-messages.js';
import { messageType, validateHello, validateSamples, validateSubscribe } from '../../protocol/validate-sensor.js';
import { createRandom } from '../../lib/random.js';

const RUNS = Number(process.env.SENSORIUM_FUZZ_RUNS ?? 400);

/** Every validator a decoded frame can meet on the server. */
function validateAll(value: unknown): void {
  messageType(value);
  validateHello(value, DEFAULT_LIMITS);
  validateSamples(value, DEFAULT_LIMITS, 'g');
  validateSamples(value, DEFAULT_LIMITS, 'm/s2');
  validateSubscribe(value);
  const r = parseTextClientMessage(value);
  if (!r.ok) expect(r.error.length).toBeLessThan(400);
}

function decodeAndValidate(f: WireFrame): void {
  const data = f.binary || typeof f.data === 'string' ? f.data : f.data.toString('utf8');
  const d = decodeFrame(typeof data === 'string' ? data : new Uint8Array(data), f.binary);
  if (d.ok) validateAll(d.value);
  else expect(d.error).toMatch(/could not be decoded|expected/);
}

describe('the crafted msgpack means what the benchmark says', () => {
  const decode = (b: Buffer) => {
    const d = decodeFrame(b, true);
    expect(d.ok).toBe(true);
    return d.ok ? d.value : undefined;
  };

  it('64-bit integers decode as BigInt, floats keep NaN and Infinity', () => {
    expect(decode(uint64(2n ** 60n))).toBe(2n ** 60n);
    expect(decode(int64(-(2n ** 62n)))).toBe(-(2n ** 62n));
    expect(decode(map([['type', uint64(1n)]]))).toEqual({ type: 1n });
    expect(decode(float64(NaN))).toBeNaN();
    expect(decode(float64(-Infinity))).toBe(-Infinity);
  });

  it('headers of every size, extensions, and nesting', () => {
    for (const n of [3, 20, 70_000]) {
      expect((decode(Buffer.concat([arrayHeader(n), Buffer.alloc(n, 0xc0)])) as unknown[]).length).toBe(n);
      expect(Object.keys(decode(Buffer.concat([mapHeader(n), ...Array.from({ length: n }, (_, i) => pack(i)).flatMap((k) => [k, Buffer.from([0xc0])])])) as object).length).toBe(n);
    }
    expect(decode(ext(-1, Buffer.from([0, 0, 0, 1])))).toEqual(new Date(1000));
    const deep = decode(nested(50, false)) as unknown[];
    let depth = 0;
    for (let v: unknown = deep; Array.isArray(v); v = v[0]) depth++;
    expect(depth).toBe(50);
    // Lying headers are refused by the decoder, not allocated.
    for (const kind of ['array', 'map', 'str', 'bin'] as const) expect(decodeFrame(liar(kind, 0xffffffff, Buffer.alloc(8)), true).ok).toBe(false);
    expect(decodeFrame(nested(100_000, true), true).ok).toBe(false); // too deep: an error, not a crash
  });
});

describe("the benchmark's hostile frames through the decoder and validators", () => {
  for (const endpoint of ['device', 'dashboard', 'text'] as const) {
    it(`never throw on ${endpoint} frames`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
          const r = createRandom(seed);
          const state = { seq: 0, t: 1.7e12 };
          // Small frames here (up to 64 KiB): the size limits themselves belong to the socket layer.
          for (let i = 0; i < 5; i++) {
            const f = endpoint === 'device' ? deviceFrame(r, state, 64 * 1024) : endpoint === 'dashboard' ? dashboardFrame(r, 64 * 1024) : textFrame(r, state, 64 * 1024);
            decodeAndValidate(f);
          }
        }),
        { numRuns: Math.max(20, Math.floor(RUNS / 8)) },
      );
    });
  }

  it('reject frames whose 64-bit integers sit where numbers are expected', () => {
    fc.assert(
      fc.property(fc.constantFrom('seq', 'rateHz', 't', 'x', 'lastWindowEnd'), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (field, big) => {
        const columns = { t: pack([1000, 1020]), x: pack([0, 0]), y: pack([0, 0]), z: pack([1, 1]) };
        const entries: [string, Buffer][] = [['type', pack('samples')], ['seq', pack(0)], ...Object.entries(columns)];
        const frame = map(entries.map(([k, v]) => (k === field ? [k, field === 't' || field === 'x' ? Buffer.concat([arrayHeader(2), uint64(big), pack(1)]) : uint64(big)] : [k, v])));
        const d = decodeFrame(frame, true);
        expect(d.ok).toBe(true);
        if (!d.ok) return;
        validateAll(d.value);
        if (field === 'seq' || field === 't' || field === 'x') expect(validateSamples(d.value, DEFAULT_LIMITS, 'g').ok).toBe(false);
        const hello = validateHello({ type: 'hello', deviceId: 'a', rateHz: d.value && (d.value as Record<string, unknown>)[field], units: 'g' }, DEFAULT_LIMITS);
        if (field === 'rateHz') expect(hello.ok).toBe(false);
      }),
      { numRuns: Math.max(50, Math.floor(RUNS / 2)) },
    );
  });
});
