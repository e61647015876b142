// Property-based fuzzing of the frame decoder and the validators: random bytes, random JSON and
// msgpack values, near-valid frames with one field broken, truncated and giant frames, NaN and
// Infinity. They must never throw, and whatever they accept must be well-formed.
// SENSORIUM_FUZZ_RUNS sets the runs per property (default 400: ~5000 cases in a few seconds).
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from '../../protocol/codec.js';
import { DEFAULT_LIMITS } from '../../protocol/sensor-messages.js';
import { messageType, validateHello, validateSamples, validateSubscribe, type Validated } from '../../protocol/validate-sensor.js';

const RUNS = Number(process.env.SENSORIUM_FUZZ_RUNS ?? 400);
const CODES = new Set([
  'bad-frame',
  'invalid',
  'not-hello',
  'duplicate-hello',
  'out-of-range',
  'too-many-samples',
  'rate-limited',
  'overloaded',
  'unauthorized',
  'id-in-use',
  'model-unavailable',
  'internal',
]);
const limits = DEFAULT_LIMITS;
const packr = new Packr({ useRecords: false });
let cases = 0;
const params = { numRuns: RUNS };

function checkResult<T>(r: Validated<T>): void {
  if (!r.ok) {
    expect(CODES.has(r.error.code)).toBe(true);
    expect(typeof r.error.message).toBe('string');
    expect(r.error.message.length).toBeLessThan(400); // attacker-sized input never echoes back whole
  }
}

/** Everything validateSamples promises about a frame it accepts. */
function checkAcceptedFrame(value: unknown, units: 'g' | 'm/s2'): void {
  const r = validateSamples(value, limits, units);
  checkResult(r);
  if (!r.ok) return;
  const { t, x, y, z, labels } = r.value;
  const n = t.length;
  expect(n).toBeLessThanOrEqual(limits.maxSamplesPerFrame);
  expect([x.length, y.length, z.length]).toEqual([n, n, n]);
  const maxAbs = units === 'g' ? limits.maxAbsG : limits.maxAbsG * 9.80665;
  for (let i = 0; i < n; i++) {
    expect(Number.isFinite(t[i]!)).toBe(true);
    if (i > 0) expect(t[i]!).toBeGreaterThanOrEqual(t[i - 1]!);
    for (const a of [x, y, z]) expect(Math.abs(a[i]!)).toBeLessThanOrEqual(maxAbs * (1 + 1e-6));
  }
  if (labels) expect(labels.length).toBe(n);
}

/** A valid samples frame of n samples at 50 Hz. */
const validFrame = (n: number, seq = 0) => ({
  type: 'samples',
  seq,
  t: Array.from({ length: n }, (_, i) => 1000 + i * 20),
  x: Array.from({ length: n }, (_, i) => Math.sin(i)),
  y: Array.from({ length: n }, () => 0.98),
  z: Array.from({ length: n }, () => 0.1),
});

const weird = fc.oneof(fc.constantFrom(NaN, Infinity, -Infinity, -0, 1e308, -1e308, 2 ** 53 + 1, null, undefined, '', '0', [], {}, true), fc.anything(), fc.double(), fc.string());

describe('fuzzing the decoder', () => {
  it('never throws on random bytes, either encoding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.boolean(), (bytes, binary) => {
        cases++;
        const d = decodeFrame(bytes, binary);
        if (!d.ok) expect(d.error).toMatch(/could not be decoded|expected/);
        else messageType(d.value);
      }),
      params,
    );
  });

  it('never throws on random text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        cases++;
        const d = decodeFrame(text, false);
        if (d.ok) checkResult(messageType(d.value));
      }),
      params,
    );
  });

  it('decodes truncated msgpack and JSON frames to an error or something the validators handle', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), (n, cut, binary) => {
        cases++;
        const full = encodeFrame({ ...validFrame(n), x: Float32Array.from(validFrame(n).x) }, binary ? 'msgpack' : 'json');
        const bytes = typeof full === 'string' ? new TextEncoder().encode(full) : full;
        const truncated = bytes.subarray(0, Math.floor(cut * bytes.length));
        const d = decodeFrame(truncated, binary);
        if (d.ok) checkAcceptedFrame(d.value, 'g');
      }),
      params,
    );
  });
});

describe('fuzzing the validators', () => {
  it('handle any value at all', () => {
    fc.assert(
      fc.property(fc.anything({ withTypedArray: true, withNullPrototype: true, withBigInt: true, withMap: true, withSet: true, withDate: true }), (v) => {
        cases++;
        checkResult(messageType(v));
        checkResult(validateHello(v, limits));
        checkResult(validateSubscribe(v));
        checkAcceptedFrame(v, 'g');
      }),
      params,
    );
  });

  it('handle any msgpack value as it comes off the wire', () => {
    fc.assert(
      fc.property(fc.anything({ withTypedArray: true, withBigInt: false }), (v) => {
        cases++;
        let bytes: Uint8Array;
        try {
          bytes = packr.pack(v);
        } catch {
          return; // not packable: nothing a client could send
        }
        const d = decodeFrame(bytes, true);
        if (!d.ok) return;
        checkResult(validateHello(d.value, limits));
        checkAcceptedFrame(d.value, 'm/s2');
      }),
      params,
    );
  });

  it('reject near-valid frames with one field replaced by something strange, naming the problem', () => {
    const fields = ['seq', 't', 'x', 'y', 'z', 'labels', 'type'] as const;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.constantFrom(...fields), weird, fc.boolean(), (n, field, bad, binary) => {
        cases++;
        const frame: Record<string, unknown> = { ...validFrame(n), [field]: bad };
        const wire = encodeFrame(frame, binary ? 'msgpack' : 'json');
        const d = decodeFrame(wire, binary);
        if (d.ok) checkAcceptedFrame(d.value, 'g');
        checkAcceptedFrame(frame, 'g');
      }),
      params,
    );
  });

  it('reject a NaN or Infinity anywhere in a column', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.constantFrom('t', 'x', 'y', 'z'),
        fc.nat(),
        fc.constantFrom(NaN, Infinity, -Infinity),
        fc.constantFrom('array', 'float32', 'float64'),
        (n, axis, at, bad, kind) => {
          cases++;
          const frame: Record<string, unknown> = validFrame(n);
          const column = [...(frame[axis] as number[])];
          column[at % n] = bad;
          frame[axis] = kind === 'array' || axis === 't' ? (kind === 'float64' ? Float64Array.from(column) : column) : kind === 'float32' ? Float32Array.from(column) : Float64Array.from(column);
          const r = validateSamples(frame, limits, 'g');
          expect(r.ok).toBe(false);
          if (!r.ok) expect(r.error.code).toBe('invalid');
        },
      ),
      params,
    );
  });

  it('refuse giant frames by sample count without walking them', () => {
    fc.assert(
      fc.property(fc.integer({ min: limits.maxSamplesPerFrame + 1, max: 200_000 }), (n) => {
        cases++;
        const r = validateSamples({ type: 'samples', seq: 0, t: new Float64Array(n), x: new Float32Array(n), y: new Float32Array(n), z: new Float32Array(n) }, limits, 'g');
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error.code).toBe('too-many-samples');
      }),
      { numRuns: Math.max(10, Math.floor(RUNS / 10)) },
    );
  });

  it('accept well-formed random frames and keep every value', () => {
    const sample = fc.record({
      dt: fc.integer({ min: 5, max: 100 }),
      x: fc.double({ min: -16, max: 16, noNaN: true }),
      y: fc.double({ min: -16, max: 16, noNaN: true }),
      z: fc.double({ min: -16, max: 16, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(sample, { minLength: 1, maxLength: 200 }), fc.nat(), fc.boolean(), (samples, seq, binary) => {
        cases++;
        let t = 1e12;
        const frame = { type: 'samples', seq, t: samples.map((s) => (t += s.dt)), x: samples.map((s) => s.x), y: samples.map((s) => s.y), z: samples.map((s) => s.z) };
        const d = decodeFrame(encodeFrame(frame, binary ? 'msgpack' : 'json'), binary);
        expect(d.ok).toBe(true);
        const r = validateSamples(d.ok ? d.value : undefined, limits, 'g');
        expect(r.ok).toBe(true);
        if (r.ok) {
          expect(Array.from(r.value.t)).toEqual(frame.t);
          const plus0 = (v: number) => v + 0; // JSON has no -0
          expect(Array.from(r.value.x, plus0)).toEqual(frame.x.map((v) => plus0(Math.fround(v))));
        }
      }),
      params,
    );
  });

  it('hello and subscribe: random fields never throw, bad ones are named', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            deviceId: fc.oneof(fc.string(), weird),
            rateHz: fc.oneof(fc.double(), weird),
            units: fc.oneof(fc.constantFrom('g', 'm/s2'), weird),
            token: weird,
            description: weird,
            lastWindowEnd: weird,
          },
          { requiredKeys: [] },
        ),
        fc.oneof(fc.constant('*'), fc.array(fc.string({ maxLength: 70 }), { maxLength: 5 }), weird),
        (fields, devices) => {
          cases++;
          const hello = validateHello({ type: 'hello', ...fields }, limits);
          checkResult(hello);
          if (hello.ok) {
            expect(hello.value.rateHz).toBeGreaterThanOrEqual(limits.minRateHz);
            expect(hello.value.deviceId).toMatch(/^[A-Za-z0-9._:-]{1,64}$/);
          }
          checkResult(validateSubscribe({ type: 'subscribe', devices, token: fields.token }));
        },
      ),
      params,
    );
  });

  it('ran the cases it says', () => {
    // Reported for the record (and a guard that the properties above actually ran).
    console.log(`protocol fuzz: ${cases} cases`);
    expect(cases).toBeGreaterThanOrEqual(RUNS * 8);
  });
});
