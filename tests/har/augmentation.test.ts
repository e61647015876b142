import { describe, expect, it } from 'vitest';
import { augmentWindow, DEFAULT_AUGMENT, HAR_RANDOM, pocketTurn, rotation, simulateLowRate, uniformRotation, type AugmentConfig } from '../../models/har/augmentation.js';
import { placementCode } from '../../models/har/features.js';
import { createRandom } from '../../lib/random.js';

const NONE: AugmentConfig = {
  stretch: [1, 1],
  maxTiltDeg: 0,
  maxMotionTiltDeg: 0,
  signFlip: 0,
  gain: [1, 1],
  axisGain: 0,
  noiseG: 0,
  lowRate: 0,
  lowRateHz: [20, 20],
  pocketTiltDeg: 0,
  fullRotation: 0,
};

/** A still window with gravity along `g`. */
function still(n: number, g: [number, number, number]) {
  return { x: new Float32Array(n).fill(g[0]), y: new Float32Array(n).fill(g[1]), z: new Float32Array(n).fill(g[2]) };
}

function isOrthonormal(m: readonly number[]): boolean {
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      const dot = m[r * 3]! * m[c * 3]! + m[r * 3 + 1]! * m[c * 3 + 1]! + m[r * 3 + 2]! * m[c * 3 + 2]!;
      if (Math.abs(dot - (r === c ? 1 : 0)) > 1e-9) return false;
    }
  }
  return true;
}

function source(n: number) {
  const x = Float32Array.from({ length: n }, (_, i) => 0.9 + 0.3 * Math.sin(i / 4));
  const y = Float32Array.from({ length: n }, (_, i) => -0.2 + 0.1 * Math.cos(i / 7));
  const z = Float32Array.from({ length: n }, (_, i) => 0.05 * Math.sin(i / 3));
  return { x, y, z };
}

describe('augmentation', () => {
  it('with every distortion off, copies the window unchanged', () => {
    const src = source(300);
    const out = new Float32Array(128 * 3);
    augmentWindow(src, 40, 300, 128, createRandom(1, HAR_RANDOM), NONE, out, 0);
    for (let k = 0; k < 128; k++) {
      expect(out[k * 3]).toBeCloseTo(src.x[40 + k]!, 6);
      expect(out[k * 3 + 1]).toBeCloseTo(src.y[40 + k]!, 6);
      expect(out[k * 3 + 2]).toBeCloseTo(src.z[40 + k]!, 6);
    }
  });

  it('rotations are orthonormal and no larger than the maximum tilt', () => {
    const rng = createRandom(5, HAR_RANDOM);
    for (let i = 0; i < 50; i++) {
      const m = rotation(rng, 15);
      for (let r = 0; r < 3; r++) {
        for (let c = 0; c < 3; c++) {
          const dot = m[r * 3]! * m[c * 3]! + m[r * 3 + 1]! * m[c * 3 + 1]! + m[r * 3 + 2]! * m[c * 3 + 2]!;
          expect(dot).toBeCloseTo(r === c ? 1 : 0, 9);
        }
      }
      const angle = Math.acos(Math.min(1, (m[0]! + m[4]! + m[8]! - 1) / 2));
      expect(angle).toBeLessThanOrEqual((15 * Math.PI) / 180 + 1e-9);
    }
  });

  it('keeps |a| with rotations and sign flips only, and never flips the sign of x*y of a static window', () => {
    const src = { x: new Float32Array(200).fill(0.95), y: new Float32Array(200).fill(0.3), z: new Float32Array(200).fill(0.05) };
    const cfg: AugmentConfig = { ...NONE, maxTiltDeg: 10, signFlip: 1 };
    const rng = createRandom(11, HAR_RANDOM);
    const out = new Float32Array(128 * 3);
    for (let i = 0; i < 40; i++) {
      augmentWindow(src, 0, 200, 128, rng, cfg, out, 0);
      expect(Math.hypot(out[0]!, out[1]!, out[2]!)).toBeCloseTo(Math.hypot(0.95, 0.3, 0.05), 5);
      expect(out[0]! * out[1]!).toBeGreaterThan(0); // 0.95 * 0.3 stays positive under <=10° tilts
    }
  });

  it('simulated low rates keep a straight line and flatten fast wiggles', () => {
    const line = Float32Array.from({ length: 64 }, (_, i) => 0.5 + i * 0.01);
    const copy = line.slice();
    simulateLowRate(line, 2.5, 0);
    for (let i = 0; i < 62; i++) expect(line[i]).toBeCloseTo(copy[i]!, 5); // the tail holds its last sample
    const wiggle = Float32Array.from({ length: 64 }, (_, i) => (i % 2 ? 1 : -1));
    simulateLowRate(wiggle, 2, 0.5); // sampled between the alternating samples: all zeros
    for (let i = 1; i < 63; i++) expect(Math.abs(wiggle[i]!)).toBeLessThan(1e-6);
  });

  it('is reproducible from the seed, and the defaults stay in g ranges', () => {
    const src = source(400);
    const a = new Float32Array(128 * 3);
    const b = new Float32Array(128 * 3);
    augmentWindow(src, 10, 400, 128, createRandom(3, HAR_RANDOM), DEFAULT_AUGMENT, a, 0);
    augmentWindow(src, 10, 400, 128, createRandom(3, HAR_RANDOM), DEFAULT_AUGMENT, b, 0);
    expect(Array.from(a)).toEqual(Array.from(b));
    for (const v of a) expect(Math.abs(v)).toBeLessThan(2);
  });
});

describe('motion-only rotation', () => {
  it('turns the motion around the window mean and leaves gravity alone', () => {
    const src = source(200);
    const cfg: AugmentConfig = { ...NONE, maxMotionTiltDeg: 45 };
    const out = new Float32Array(128 * 3);
    augmentWindow(src, 0, 200, 128, createRandom(4, HAR_RANDOM), cfg, out, 0);
    const mean = (a: ArrayLike<number>, axis: number, stride: number, n: number) => {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[k * stride + axis]!;
      return s / n;
    };
    const inMean = [src.x, src.y, src.z].map((a) => mean(a, 0, 1, 128));
    const outMean = [0, 1, 2].map((axis) => mean(out, axis, 3, 128));
    for (let i = 0; i < 3; i++) expect(outMean[i]).toBeCloseTo(inMean[i]!, 5);
    let changed = 0;
    for (let k = 0; k < 128; k++) {
      const dIn = Math.hypot(src.x[k]! - inMean[0]!, src.y[k]! - inMean[1]!, src.z[k]! - inMean[2]!);
      const dOut = Math.hypot(out[k * 3]! - outMean[0]!, out[k * 3 + 1]! - outMean[1]!, out[k * 3 + 2]! - outMean[2]!);
      expect(dOut).toBeCloseTo(dIn, 5); // a rotation keeps the motion's size
      changed += Math.abs(out[k * 3]! - src.x[k]!);
    }
    expect(changed).toBeGreaterThan(0.1); // …but not its direction
  });

  it('pocket windows turn in the screen plane and face in or out: standing keeps gravity in that plane, sitting across it', () => {
    const pocket = { placement: placementCode('pocket'), moving: false };
    const rng = createRandom(3, HAR_RANDOM);
    const out = new Float32Array(128 * 3);
    const standingX: number[] = [];
    const sittingZ: number[] = [];
    for (let i = 0; i < 200; i++) {
      augmentWindow(still(130, [0, 1, 0]), 0, 130, 128, rng, NONE, out, 0, pocket);
      standingX.push(out[0]!);
      expect(Math.abs(out[2]!)).toBeLessThan(1e-5);
      augmentWindow(still(130, [0, 0, 1]), 0, 130, 128, rng, NONE, out, 0, pocket);
      sittingZ.push(out[2]!);
      expect(Math.hypot(out[0]!, out[1]!)).toBeLessThan(1e-5);
    }
    // Standing's gravity goes all round the screen plane; sitting's points out of the screen or into it.
    expect(Math.min(...standingX)).toBeLessThan(-0.95);
    expect(Math.max(...standingX)).toBeGreaterThan(0.95);
    expect(sittingZ.filter((z) => z > 0.99).length).toBeGreaterThan(60);
    expect(sittingZ.filter((z) => z < -0.99).length).toBeGreaterThan(60);
  });

  it('moving windows may take any orientation; pocket turns and uniform rotations are rotations', () => {
    const rng = createRandom(8, HAR_RANDOM);
    for (let i = 0; i < 50; i++) {
      expect(isOrthonormal(pocketTurn(rng))).toBe(true);
      expect(isOrthonormal(uniformRotation(rng))).toBe(true);
    }
    const out = new Float32Array(128 * 3);
    const gravityX: number[] = [];
    for (let i = 0; i < 300; i++) {
      augmentWindow(still(130, [1, 0, 0]), 0, 130, 128, rng, { ...NONE, fullRotation: 1 }, out, 0, { placement: -1, moving: true });
      expect(Math.hypot(out[0]!, out[1]!, out[2]!)).toBeCloseTo(1, 5);
      gravityX.push(out[0]!);
    }
    // Uniform on the sphere: x is uniform in [-1, 1], so about a quarter falls in each half of each sign.
    expect(gravityX.filter((x) => Math.abs(x) < 0.5).length).toBeGreaterThan(100);
    expect(gravityX.filter((x) => x < -0.5).length).toBeGreaterThan(40);
  });
});
