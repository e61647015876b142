// Property-based fuzzing of Sensor Logger body parsing (server/devices/sensor-logger.ts): the
// readings of any body the route's JSON schema lets through (names, nanosecond times as numbers
// or digit strings, values of any type, 1e999 arriving as Infinity, times going backwards) become
// sorted, equal-length columns with finite times, and the frames cut from them meet the samples
// validator without anything throwing. SENSORIUM_FUZZ_RUNS sets the runs per property (default 400).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../protocol/sensor-messages.js';
import { validateSamples } from '../../protocol/validate-sensor.js';
import { extractTotalAcceleration, nanosToMs, type SensorLoggerEntry } from '../../server/devices/sensor-logger.js';

const RUNS = Number(process.env.SENSORIUM_FUZZ_RUNS ?? 400);
const params = { numRuns: RUNS };

const json = fc.jsonValue({ maxDepth: 2 });
const axis = fc.oneof(fc.double({ min: -200, max: 200, noNaN: true }), fc.constantFrom(Infinity, -Infinity, 1e308), json);
// What the route's schema admits: name a string <= 64, time a number or a string <= 25, values an object.
const entry: fc.Arbitrary<SensorLoggerEntry> = fc.record(
  {
    name: fc.oneof(fc.constantFrom('totalacceleration', 'TotalAcceleration', 'accelerometer', 'gyroscope'), fc.string({ maxLength: 64 })),
    time: fc.oneof(
      fc.bigInt({ min: 0n, max: 10n ** 20n }).map((n) => n.toString()),
      fc.double({ noNaN: false }),
      fc.string({ maxLength: 25 }),
      fc.constantFrom('1700000000000000000', '-1', '1e18', ' 1', '0x10', '9'.repeat(25), '١٢٣'),
    ),
    values: fc.record({ x: axis, y: axis, z: axis }, { requiredKeys: [] }),
  },
  { requiredKeys: ['name', 'time'] },
);

describe('fuzzing Sensor Logger body parsing', () => {
  it('nanosToMs turns digit strings and finite numbers into finite ms, and refuses the rest', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 25 }), fc.double(), fc.bigInt({ min: 0n, max: 10n ** 25n - 1n }).map(String)), (time) => {
        const ms = nanosToMs(time);
        const valid = typeof time === 'number' ? Number.isFinite(time) : /^\d{1,25}$/.test(time);
        expect(ms !== undefined).toBe(valid);
        if (ms !== undefined) expect(Number.isFinite(ms)).toBe(true);
      }),
      params,
    );
  });

  it('keeps full precision of ns strings beyond 2^53', () => {
    expect(nanosToMs('1700000000123456789')).toBe(1700000000123.456);
  });

  it('extracts sorted, equal-length columns with finite times from any schema-valid payload', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 200 }), (payload) => {
        // Through JSON, as the route sees it (1e308 * 10 style overflow arrives as Infinity only via 1e999 text).
        const wire = JSON.parse(JSON.stringify(payload).replace(/"x":1e\+308/g, '"x":1e999')) as SensorLoggerEntry[];
        const { t, x, y, z } = extractTotalAcceleration(wire);
        expect([x.length, y.length, z.length]).toEqual([t.length, t.length, t.length]);
        for (let i = 0; i < t.length; i++) {
          expect(Number.isFinite(t[i]!)).toBe(true);
          if (i > 0) expect(t[i]!).toBeGreaterThanOrEqual(t[i - 1]!);
          for (const a of [x, y, z]) expect(typeof a[i]).toBe('number');
        }
        const accepted = wire.filter(
          (e) => e.name.toLowerCase() === 'totalacceleration' && e.values && ['x', 'y', 'z'].every((k) => typeof e.values![k] === 'number') && nanosToMs(e.time) !== undefined,
        );
        expect(t.length).toBe(accepted.length);
        // The frames the route cuts from them: typed errors or accepted, never a throw.
        const max = DEFAULT_LIMITS.maxSamplesPerFrame;
        for (let from = 0; from < t.length; from += max) {
          const r = validateSamples(
            { type: 'samples', seq: 0, t: t.slice(from, from + max), x: x.slice(from, from + max), y: y.slice(from, from + max), z: z.slice(from, from + max) },
            DEFAULT_LIMITS,
            'm/s2',
          );
          if (!r.ok) expect(['invalid', 'out-of-range', 'too-many-samples']).toContain(r.error.code);
        }
      }),
      params,
    );
  });

  it('orders readings whose time goes backwards', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 1n, max: 10n ** 9n }), { minLength: 2, maxLength: 100 }), (steps) => {
        let ns = 1_700_000_000_000_000_000n;
        const payload = steps.map((s) => ({ name: 'totalacceleration', time: String((ns -= s)), values: { x: 0, y: 0, z: 9.8 } }));
        const { t } = extractTotalAcceleration(payload);
        expect(t.length).toBe(steps.length);
        expect([...t].sort((a, b) => a - b)).toEqual(t);
      }),
      params,
    );
  });
});
