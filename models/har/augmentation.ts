// Training-time distortions that stand in for the devices we have no data from: other phones
// (gain, noise), other wear (moderate tilt, phone upside down or facing in, iOS sign convention),
// other walkers (cadence), other rates (a 10-50 Hz device resampled to 50 Hz).
//
// What is deliberately NOT done: large rotations of gravity or single-axis sign flips. On the
// waist, sitting and standing differ only by a 5-30° pelvis tilt (varying by person) and lying by
// gravity leaving the phone's x axis; rotation invariance would make the static postures
// indistinguishable. So gravity tilts by at most 20° (measured on held-out users: no loss against
// 5°, since people's postures already blur sitting/standing that much, and walking vs stairs
// holds up far better when the phone is worn at another angle), while the motion around gravity
// turns by up to 45° more. The sign patterns ({+,+,+}, {-,-,-}, {+,+,-}, {-,-,+}) keep the sign
// of x*y, which carries the sitting/standing tilt, while covering iOS (all negated) and 180°
// turns of the phone.
//
// Pocket windows (placement 'pocket') first turn the phone in the plane of its screen by any
// angle (portrait, landscape, upside down, anything between: WISDM's people put it every way) and
// face it in or out (180° about y) half the time, then tilt by up to pocketTiltDeg, and half are
// negated (iOS). What stays is the screen lying flat against the thigh: standing (thigh vertical)
// puts gravity in the screen plane (small z), sitting (thigh horizontal, front pocket) along the
// screen normal (large |z|). That is the one posture cue a pocket keeps whatever the orientation.
// Windows of moving classes may instead take a uniformly random 3-D rotation (fullRotation):
// gait reads the same in any orientation.
import { placementCode } from './features.js';
import type { Random, RandomOptions } from '../../lib/random.js';

/** HAR's generators drop Box-Muller's second normal: the stream committed HAR models were trained on. */
export const HAR_RANDOM: RandomOptions = { spareGaussian: 'drop' };

const POCKET = placementCode('pocket');

export interface AugmentConfig {
  /** Playback speed range (cadence and clock differences). */
  stretch: [number, number];
  /** Largest tilt of the whole window in degrees, about a random axis (moves gravity too). */
  maxTiltDeg: number;
  /**
   * Largest extra rotation of the window's motion (its deviation from the window mean), leaving
   * gravity where it was: motion patterns become orientation-robust while the posture cue
   * (gravity relative to the phone) stays sharp.
   */
  maxMotionTiltDeg: number;
  /** Probability of each sign pattern being applied (the rest keep the original signs). */
  signFlip: number;
  /** Overall gain range (sensor calibration). */
  gain: [number, number];
  /** Largest per-axis gain deviation (cross-axis calibration). */
  axisGain: number;
  /** Largest noise standard deviation in g. */
  noiseG: number;
  /** Probability of simulating a low-rate device, and its rate range in Hz. */
  lowRate: number;
  lowRateHz: [number, number];
  /** Pocket windows: largest tilt after the turn in the screen plane, degrees. */
  pocketTiltDeg: number;
  /** Probability that a window of a moving class takes a uniformly random 3-D rotation instead. */
  fullRotation: number;
}

/** What the augmentation needs to know about a window's source. */
export interface WindowContext {
  /** placementCode of the recording (-1: unknown). */
  placement: number;
  /** Whether the class is a moving one (walking, stairs, jogging): any orientation is then fine. */
  moving: boolean;
}

export const DEFAULT_AUGMENT: AugmentConfig = {
  stretch: [0.85, 1.15], // train.ts --stretch 0.15 gives exactly these
  maxTiltDeg: 20,
  maxMotionTiltDeg: 45,
  signFlip: 0.75,
  gain: [0.9, 1.1],
  axisGain: 0.03,
  noiseG: 0.02,
  lowRate: 0.35,
  lowRateHz: [12, 40],
  pocketTiltDeg: 30,
  fullRotation: 0.25,
};

/** The four sign patterns; index 0 is the identity. */
const SIGN_PATTERNS: readonly (readonly [number, number, number])[] = [
  [1, 1, 1],
  [-1, -1, -1], // iOS convention
  [1, 1, -1], // phone facing the other way (with the iOS flip: rotated 180° about z)
  [-1, -1, 1], // phone upside down (rotated 180° about z)
];

export interface Source {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  z: ArrayLike<number>;
}

/** Largest stretch that still fits a window of `size` starting at `start` before `end`. */
export function maxStretch(start: number, end: number, size: number): number {
  return (end - 1 - start) / (size - 1);
}

/**
 * Writes one augmented window of `size` samples, read from `src` from sample `start` (never past
 * `end`), into `out` at `offset` as interleaved [x, y, z].
 */
export function augmentWindow(
  src: Source,
  start: number,
  end: number,
  size: number,
  rng: Random,
  cfg: AugmentConfig,
  out: Float32Array,
  offset: number,
  ctx: WindowContext = { placement: -1, moving: false },
): void {
  const stretch = Math.min(rng.uniform(cfg.stretch[0], cfg.stretch[1]), maxStretch(start, end, size));
  const ax = new Float32Array(size);
  const ay = new Float32Array(size);
  const az = new Float32Array(size);
  for (let k = 0; k < size; k++) {
    const p = start + k * stretch;
    const i = Math.min(Math.floor(p), end - 2);
    const f = p - i;
    ax[k] = src.x[i]! + f * (src.x[i + 1]! - src.x[i]!);
    ay[k] = src.y[i]! + f * (src.y[i + 1]! - src.y[i]!);
    az[k] = src.z[i]! + f * (src.z[i + 1]! - src.z[i]!);
  }
  if (rng.next() < cfg.lowRate) {
    const every = 50 / rng.uniform(cfg.lowRateHz[0], cfg.lowRateHz[1]);
    const phase = rng.uniform(0, every);
    for (const a of [ax, ay, az]) simulateLowRate(a, every, phase);
  }
  const pocket = ctx.placement === POCKET;
  const full = ctx.moving && rng.next() < cfg.fullRotation;
  if (pocket || full) {
    const r = full ? uniformRotation(rng) : pocketTurn(rng);
    for (let k = 0; k < size; k++) {
      const a = ax[k]!;
      const b = ay[k]!;
      const c = az[k]!;
      ax[k] = r[0]! * a + r[1]! * b + r[2]! * c;
      ay[k] = r[3]! * a + r[4]! * b + r[5]! * c;
      az[k] = r[6]! * a + r[7]! * b + r[8]! * c;
    }
  }
  const m = rotation(rng, pocket ? cfg.pocketTiltDeg : cfg.maxTiltDeg);
  const d = multiply(m, rotation(rng, cfg.maxMotionTiltDeg));
  let mx = 0;
  let my = 0;
  let mz = 0;
  for (let k = 0; k < size; k++) {
    mx += ax[k]! / size;
    my += ay[k]! / size;
    mz += az[k]! / size;
  }
  // Gravity (the mean) turns by m; the motion around it by d.
  const gxr = m[0] * mx + m[1] * my + m[2] * mz;
  const gyr = m[3] * mx + m[4] * my + m[5] * mz;
  const gzr = m[6] * mx + m[7] * my + m[8] * mz;
  // Pocket turns already cover the 180° turns: only the iOS negation is left to add.
  const signs = pocket ? SIGN_PATTERNS[rng.below(2)]! : rng.next() < cfg.signFlip ? SIGN_PATTERNS[1 + rng.below(3)]! : SIGN_PATTERNS[0]!;
  const gain = rng.uniform(cfg.gain[0], cfg.gain[1]);
  const gx = signs[0] * gain * (1 + rng.uniform(-cfg.axisGain, cfg.axisGain));
  const gy = signs[1] * gain * (1 + rng.uniform(-cfg.axisGain, cfg.axisGain));
  const gz = signs[2] * gain * (1 + rng.uniform(-cfg.axisGain, cfg.axisGain));
  const sigma = rng.uniform(0, cfg.noiseG);
  let o = offset;
  for (let k = 0; k < size; k++) {
    const x = ax[k]! - mx;
    const y = ay[k]! - my;
    const z = az[k]! - mz;
    out[o++] = gx * (gxr + d[0]! * x + d[1]! * y + d[2]! * z) + sigma * rng.gaussian();
    out[o++] = gy * (gyr + d[3]! * x + d[4]! * y + d[5]! * z) + sigma * rng.gaussian();
    out[o++] = gz * (gzr + d[6]! * x + d[7]! * y + d[8]! * z) + sigma * rng.gaussian();
  }
}

/**
 * Replaces `a` by what a device sampling every `every` samples (from `phase`) would give after
 * linear resampling back to the original grid: point samples joined by straight lines.
 */
export function simulateLowRate(a: Float32Array, every: number, phase: number): void {
  const n = a.length;
  const at = (p: number) => {
    const i = Math.min(Math.floor(p), n - 2);
    return a[i]! + (p - i) * (a[i + 1]! - a[i]!);
  };
  const pos: number[] = [];
  const val: number[] = [];
  for (let p = phase; p <= n - 1; p += every) {
    pos.push(p);
    val.push(at(p));
  }
  let j = 0;
  for (let k = 0; k < n; k++) {
    while (j + 1 < pos.length && pos[j + 1]! <= k) j++;
    if (k <= pos[0]!) a[k] = val[0]!;
    else if (j + 1 >= pos.length) a[k] = val[val.length - 1]!;
    else a[k] = val[j]! + ((k - pos[j]!) / (pos[j + 1]! - pos[j]!)) * (val[j + 1]! - val[j]!);
  }
}

/** Product of two row-major 3x3 matrices. */
export function multiply(a: readonly number[], b: readonly number[]): number[] {
  const out = new Array<number>(9);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) out[r * 3 + c] = a[r * 3]! * b[c]! + a[r * 3 + 1]! * b[3 + c]! + a[r * 3 + 2]! * b[6 + c]!;
  }
  return out;
}

/** A phone in a pocket: any turn in the screen plane (about z), facing in or out half the time. */
export function pocketTurn(rng: Random): number[] {
  const turn = rotationAbout([0, 0, 1], rng.uniform(0, 360));
  return rng.next() < 0.5 ? multiply(rotationAbout([0, 1, 0], 180), turn) : turn;
}

/** A uniformly distributed rotation (a normalised Gaussian quaternion), row-major 3x3. */
export function uniformRotation(rng: Random): number[] {
  let [w, x, y, z] = [rng.gaussian(), rng.gaussian(), rng.gaussian(), rng.gaussian()];
  const norm = Math.hypot(w, x, y, z) || 1;
  [w, x, y, z] = [w / norm, x / norm, y / norm, z / norm];
  return [
    1 - 2 * (y * y + z * z),
    2 * (x * y - w * z),
    2 * (x * z + w * y),
    2 * (x * y + w * z),
    1 - 2 * (x * x + z * z),
    2 * (y * z - w * x),
    2 * (x * z - w * y),
    2 * (y * z + w * x),
    1 - 2 * (x * x + y * y),
  ];
}

/** A rotation by a uniform angle in [0, maxDeg] about a uniformly random axis (row-major 3x3). */
export function rotation(rng: Random, maxDeg: number): number[] {
  const deg = rng.uniform(0, maxDeg);
  const ux = rng.gaussian();
  const uy = rng.gaussian();
  const uz = rng.gaussian();
  const norm = Math.hypot(ux, uy, uz) || 1;
  return rotationAbout([ux / norm, uy / norm, uz / norm], deg);
}

/** Rotation by `deg` degrees about the unit axis u (Rodrigues' formula, row-major 3x3). */
export function rotationAbout(u: readonly [number, number, number], deg: number): number[] {
  const [ux, uy, uz] = u;
  const angle = (deg * Math.PI) / 180;
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const t = 1 - c;
  return [t * ux * ux + c, t * ux * uy - s * uz, t * ux * uz + s * uy, t * ux * uy + s * uz, t * uy * uy + c, t * uy * uz - s * ux, t * ux * uz - s * uy, t * uy * uz + s * ux, t * uz * uz + c];
}
