import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from '../../protocol/codec.js';
import { DEFAULT_LIMITS, PLACEMENTS, STANDARD_GRAVITY } from '../../protocol/sensor-messages.js';
import { messageType, validateHello, validateSamples, validateSubscribe } from '../../protocol/validate-sensor.js';

const hello = { type: 'hello', deviceId: 'phone-1', rateHz: 50, units: 'g' };

function samples(n: number, over: Record<string, unknown> = {}) {
  const t = Array.from({ length: n }, (_, i) => 1000 + i * 20);
  return { type: 'samples', seq: 3, t, x: t.map(() => 0.1), y: t.map(() => -0.2), z: t.map(() => 0.98), ...over };
}

function errorOf(r: { ok: boolean; error?: { code: string; message: string } }) {
  expect(r.ok).toBe(false);
  return r.error!;
}

describe('validateHello', () => {
  it('accepts a minimal hello and keeps optional fields', () => {
    expect(validateHello(hello, DEFAULT_LIMITS)).toEqual({ ok: true, value: { ...hello, placement: 'unknown' } });
    const full = { ...hello, source: 'replay', hasLabels: true, description: 'HAPT exp01', token: 'x', placement: 'pocket', extra: 1 };
    const r = validateHello(full, DEFAULT_LIMITS);
    expect(r.ok && r.value).toEqual({ ...hello, source: 'replay', hasLabels: true, description: 'HAPT exp01', token: 'x', placement: 'pocket' });
  });

  it.each(PLACEMENTS)('accepts placement %s', (placement) => {
    const r = validateHello({ ...hello, placement }, DEFAULT_LIMITS);
    expect(r.ok && r.value.placement).toBe(placement);
  });

  it.each([
    [{ deviceId: '' }, 'invalid', /deviceId/],
    [{ deviceId: 'a b' }, 'invalid', /deviceId/],
    [{ deviceId: 'x'.repeat(65) }, 'invalid', /deviceId/],
    [{ rateHz: '50' }, 'invalid', /rateHz must be a number/],
    [{ rateHz: 5000 }, 'out-of-range', /between 10 and 200 Hz \(got 5000\)/],
    [{ rateHz: 2 }, 'out-of-range', /between 10 and 200/],
    [{ units: 'mg' }, 'invalid', /units must be one of g, m\/s2/],
    [{ source: 'toaster' }, 'invalid', /source/],
    [{ hasLabels: 'yes' }, 'invalid', /hasLabels/],
    [{ description: 'd'.repeat(201) }, 'invalid', /description/],
    [{ placement: 'trouser' }, 'invalid', /placement must be one of pocket, waist, hand, bag, unknown \(got "trouser"\)/],
    [{ placement: 3 }, 'invalid', /placement must be one of/],
    [{ placement: null }, 'invalid', /placement must be one of/],
  ])('rejects %o', (patch, code, message) => {
    const e = errorOf(validateHello({ ...hello, ...patch }, DEFAULT_LIMITS));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });
});

describe('validateSamples', () => {
  it('converts columns to typed arrays and keeps labels', () => {
    const r = validateSamples(samples(3, { labels: ['walking', null, 'sitting'] }), DEFAULT_LIMITS, 'g');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.seq).toBe(3);
    expect(r.value.t).toBeInstanceOf(Float64Array);
    expect(r.value.x).toBeInstanceOf(Float32Array);
    expect(Array.from(r.value.t)).toEqual([1000, 1020, 1040]);
    expect(r.value.z[2]).toBeCloseTo(0.98);
    expect(r.value.labels).toEqual(['walking', undefined, 'sitting']);
  });

  it('accepts an empty frame (it still advances seq)', () => {
    expect(validateSamples(samples(0), DEFAULT_LIMITS, 'g').ok).toBe(true);
  });

  it.each([
    ['a missing seq', { seq: undefined }, 'invalid', /seq must be a whole number/],
    ['a negative seq', { seq: -1 }, 'invalid', /seq/],
    ['a string column', { x: 'abc' }, 'invalid', /x must be an array of numbers/],
    ['a string inside a column', { y: [0, '1', 0, 0] }, 'invalid', /y \[1\] must be a number \(got "1"\)/],
    ['mismatched lengths', { z: [1, 2] }, 'invalid', /same length \(t has 4, z has 2\)/],
    ['non-monotonic t', { t: [0, 20, 10, 30] }, 'invalid', /non-decreasing.*t\[2\] = 10 < t\[1\] = 20/],
    ['a null timestamp', { t: [0, 20, null, 30] }, 'invalid', /t \[2\] must be a number/],
    ['nanosecond timestamps', { t: [1.7e18, 1.7e18, 1.7e18, 1.7e18] }, 'out-of-range', /not a time in ms/],
    ['an absurd value', { x: [0, 0, 100, 0] }, 'out-of-range', /x\[2\] = 100 g is beyond ±16 g/],
    ['labels of the wrong length', { labels: ['walking'] }, 'invalid', /1 labels for 4 samples/],
    ['non-string labels', { labels: [1, 2, 3, 4] }, 'invalid', /labels\[0\]/],
  ])('rejects %s', (_name, patch, code, message) => {
    const e = errorOf(validateSamples(samples(4, patch), DEFAULT_LIMITS, 'g'));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it('reports the seq of the offending frame', () => {
    expect(errorOf(validateSamples(samples(4, { x: 'no' }), DEFAULT_LIMITS, 'g'))).toMatchObject({ seq: 3 });
  });

  it('rejects more samples than the limit before converting anything', () => {
    const e = errorOf(validateSamples(samples(DEFAULT_LIMITS.maxSamplesPerFrame + 1), DEFAULT_LIMITS, 'g'));
    expect(e.code).toBe('too-many-samples');
    expect(e.message).toMatch(/at most 2000 samples \(got 2001\)/);
  });

  it('rejects a frame whose timestamps imply an absurd rate', () => {
    const t = Array.from({ length: 50 }, (_, i) => i * 0.5); // 2000 Hz
    const e = errorOf(validateSamples(samples(50, { t }), DEFAULT_LIMITS, 'g'));
    expect(e.code).toBe('out-of-range');
    expect(e.message).toMatch(/2000 Hz rate; at most 200 Hz/);
    const same = errorOf(validateSamples(samples(50, { t: t.map(() => 5) }), DEFAULT_LIMITS, 'g'));
    expect(same.message).toMatch(/infinite rate/);
    // A jittery 200 Hz frame is fine.
    const jittery = Array.from({ length: 50 }, (_, i) => i * 5 + (i % 2 ? 1.5 : 0));
    expect(validateSamples(samples(50, { t: jittery }), DEFAULT_LIMITS, 'g').ok).toBe(true);
  });

  it('judges the value range in the device units', () => {
    const ms2 = samples(4, { x: [0, 0, 9.81 * 15, 0] });
    expect(validateSamples(ms2, DEFAULT_LIMITS, 'm/s2').ok).toBe(true);
    expect(errorOf(validateSamples(ms2, DEFAULT_LIMITS, 'g')).code).toBe('out-of-range');
    const tooBig = samples(4, { x: [0, 0, STANDARD_GRAVITY * 17, 0] });
    expect(errorOf(validateSamples(tooBig, DEFAULT_LIMITS, 'm/s2')).message).toMatch(/m\/s2 is beyond/);
  });

  describe('through both encodings', () => {
    it('JSON carries number arrays (typed arrays are written as arrays)', () => {
      const frame = { ...samples(3), x: new Float32Array([0.5, 0.25, -1]) };
      const decoded = decodeFrame(encodeFrame(frame, 'json') as string, false);
      const r = decoded.ok && validateSamples(decoded.value, DEFAULT_LIMITS, 'g');
      expect(r && r.ok && Array.from(r.value.x)).toEqual([0.5, 0.25, -1]);
    });

    it('msgpack carries typed arrays as bytes: float64 t, float32 or float64 axes', () => {
      const frame = {
        type: 'samples',
        seq: 0,
        t: new Float64Array([10, 30, 50]),
        x: new Float32Array([0.5, 0.25, -1]),
        y: new Float64Array([1, 2, 3]),
        z: [0, 0, 1],
      };
      const decoded = decodeFrame(encodeFrame(frame, 'msgpack') as Uint8Array, true);
      expect(decoded.ok).toBe(true);
      const r = decoded.ok ? validateSamples(decoded.value, DEFAULT_LIMITS, 'g') : undefined;
      expect(r?.ok).toBe(true);
      if (!r?.ok) return;
      expect(Array.from(r.value.t)).toEqual([10, 30, 50]);
      expect(Array.from(r.value.x)).toEqual([0.5, 0.25, -1]);
      expect(Array.from(r.value.y)).toEqual([1, 2, 3]);
    });

    it('msgpack can carry NaN and Infinity, which are rejected', () => {
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (const column of [[0, bad, 0], new Float32Array([0, bad, 0])]) {
          const frame = { type: 'samples', seq: 1, t: [0, 20, 40], x: column, y: [0, 0, 0], z: [1, 1, 1] };
          const decoded = decodeFrame(encodeFrame(frame, 'msgpack') as Uint8Array, true);
          const e = errorOf(decoded.ok ? validateSamples(decoded.value, DEFAULT_LIMITS, 'g') : { ok: true });
          expect(e.code).toBe('invalid');
          expect(e.message).toMatch(new RegExp(`x\\[1\\] is ${String(bad)}: values must be finite`));
        }
      }
      const frame = { type: 'samples', seq: 1, t: [0, NaN, 40], x: [0, 0, 0], y: [0, 0, 0], z: [1, 1, 1] };
      const decoded = decodeFrame(encodeFrame(frame, 'msgpack') as Uint8Array, true);
      expect(errorOf(decoded.ok ? validateSamples(decoded.value, DEFAULT_LIMITS, 'g') : { ok: true }).message).toMatch(/t\[1\] is NaN/);
    });

    it('rejects byte columns of the wrong size', () => {
      const frame = { type: 'samples', seq: 1, t: new Float64Array([0, 20]), x: new Uint8Array(6), y: [0, 0], z: [0, 0] };
      const decoded = decodeFrame(encodeFrame(frame, 'msgpack') as Uint8Array, true);
      const e = errorOf(decoded.ok ? validateSamples(decoded.value, DEFAULT_LIMITS, 'g') : { ok: true });
      expect(e.message).toMatch(/x holds 6 bytes: expected 8 \(float32\) or 16 \(float64\) for 2 samples/);
    });
  });
});

describe('validateSubscribe and messageType', () => {
  it('accepts * or a list of ids', () => {
    expect(validateSubscribe({ type: 'subscribe', devices: '*' })).toEqual({ ok: true, value: { type: 'subscribe', devices: '*' } });
    expect(validateSubscribe({ type: 'subscribe', devices: ['a', 'b'] }).ok).toBe(true);
    expect(errorOf(validateSubscribe({ type: 'subscribe', devices: 'a' })).message).toMatch(/"\*" or a list/);
    expect(errorOf(validateSubscribe({ type: 'subscribe', devices: ['ok', 'not ok'] })).code).toBe('invalid');
  });

  it('names what is wrong with a frame without a type', () => {
    expect(errorOf(messageType([1, 2])).message).toMatch(/got an array/);
    expect(errorOf(messageType({ type: 7 })).message).toMatch(/"type" must be a string \(got 7\)/);
    expect(messageType({ type: 'hello' })).toEqual({ ok: true, value: 'hello' });
  });
});
