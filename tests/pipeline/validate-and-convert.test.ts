import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, STANDARD_GRAVITY } from '../../protocol/sensor-messages.js';
import type { ValidationError } from '../../protocol/validate-sensor.js';
import { convertToG } from '../../server/pipeline/convert-units.js';
import type { RawFrame } from '../../server/pipeline/types.js';
import { validateFrames } from '../../server/pipeline/validate-frames.js';
import { frame, harness } from './helpers.js';

const raw = (value: unknown, receivedAt = 7): RawFrame => ({ value, receivedAt });

describe('validateFrames', () => {
  it('refuses frames whose samples mostly lie further apart than the slowest rate allows, not frames with one pause', () => {
    const errors: ValidationError[] = [];
    const h = harness(validateFrames(DEFAULT_LIMITS, 'g', (e) => errors.push(e)));
    const frameOf = (seq: number, t: number[]) => raw({ type: 'samples', seq, t, x: t.map(() => 0), y: t.map(() => 0), z: t.map(() => 1) });
    const slow = Array.from({ length: 50 }, (_, i) => i * 499); // 2 Hz
    const paused = Array.from({ length: 50 }, (_, i) => i * 20 + (i >= 25 ? 3000 : 0)); // 50 Hz with a 3 s pause
    const tenHz = Array.from({ length: 50 }, (_, i) => i * 100 + (i % 2) * 30); // the slowest rate, jittery
    h.push(frameOf(0, slow), frameOf(1, paused), frameOf(2, tenHz));
    expect(h.out.map((f) => f.seq)).toEqual([1, 2]);
    expect(errors).toEqual([{ code: 'out-of-range', message: expect.stringMatching(/49 of the 49 intervals .* longer than 150 ms: below the slowest accepted rate \(10 Hz\)/), seq: 0 }]);
  });

  it('passes valid frames on as typed arrays with their arrival time and reports invalid ones', () => {
    const errors: ValidationError[] = [];
    const h = harness(validateFrames(DEFAULT_LIMITS, 'g', (e) => errors.push(e)));
    h.push(
      raw({ type: 'samples', seq: 0, t: [0, 20], x: [0, 1], y: [0, 0], z: [1, 1] }, 5),
      raw({ type: 'samples', seq: 1, t: [40, 60], x: [0, 'a'], y: [0, 0], z: [1, 1] }),
      raw({ type: 'samples', seq: 2, t: [80, 100], x: [0, 1], y: [0, 0], z: [1, 1] }, 9),
    );
    expect(h.out.map((f) => [f.seq, f.receivedAt])).toEqual([
      [0, 5],
      [2, 9],
    ]);
    expect(h.out[0]!.x).toBeInstanceOf(Float32Array);
    expect(errors).toEqual([{ code: 'invalid', message: expect.stringMatching(/x \[1\] must be a number/), seq: 1 }]);
  });

  it('judges value ranges in the declared units', () => {
    const errors: ValidationError[] = [];
    const h = harness(validateFrames(DEFAULT_LIMITS, 'm/s2', (e) => errors.push(e)));
    h.push(raw({ type: 'samples', seq: 0, t: [0], x: [100], y: [0], z: [9.8] }));
    expect(h.out).toHaveLength(1);
    expect(errors).toEqual([]);
  });
});

describe('convertToG', () => {
  it('divides m/s2 by standard gravity in place', () => {
    const h = harness(convertToG('m/s2'));
    const f = frame(0, [0, 20], { x: [STANDARD_GRAVITY, -2 * STANDARD_GRAVITY] });
    f.z.set([STANDARD_GRAVITY, 0]);
    h.push(f);
    expect(h.out[0]).toBe(f);
    expect(Array.from(f.x)).toEqual([expect.closeTo(1, 6), expect.closeTo(-2, 6)]);
    expect(f.z[0]).toBeCloseTo(1, 6);
  });

  it('leaves g untouched', () => {
    const h = harness(convertToG('g'));
    h.push(frame(0, [0], { x: [0.5] }));
    expect(h.out[0]!.x[0]).toBe(0.5);
  });
});
