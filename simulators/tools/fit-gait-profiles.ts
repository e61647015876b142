// Fits the synthetic phone's activity profiles to real recordings and writes them as a module:
//  - per gait activity, the mean gait cycle as Fourier coefficients of the stride frequency
//    (k = 1..8 harmonics; the step is k = 2) on three body axes fixed to the phone (see
//    chunkAxes), the stride frequency's mean and spread, and each axis's total sd (what the mean
//    cycle leaves over is step-to-step variation);
//  - waist (--format hapt): per activity, the mean gravity direction in the phone frame (HAPT's
//    fixed belt mount), written to simulators/gait-fits.ts;
//  - pocket (--format wisdm2019|mobifall): the phone's orientation in a pocket differs per person
//    and trial, so what is fitted is what does not depend on it: per activity the median tilt of
//    gravity away from the phone's long axis (upright thigh: small; sitting: large), the share of
//    upright chunks where the phone lies crosswise (its x axis nearer gravity than its y), and gait
//    cycles on axes found from the motion itself. Written to simulators/gait-fits-pocket-<format>.ts.
// Recordings are resampled by timestamp to 50 Hz. Only aggregate statistics leave the data (no
// samples). Run:
//   npx tsx simulators/tools/fit-gait-profiles.ts --format hapt --data ../shared/data/hapt/RawData
//   npx tsx simulators/tools/fit-gait-profiles.ts --format wisdm2019 --data ../shared/data/wisdm2019/raw
//   npx tsx simulators/tools/fit-gait-profiles.ts --format mobifall --data ../shared/data/mobifall
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineCommand, CliError, parseOptions } from '../../cli/args.js';
import { runMain } from '../../cli/subcommands.js';
import { readHapt } from '../../data/readers/hapt.js';
import { readMobiFall } from '../../data/readers/mobifall.js';
import type { Recording } from '../../data/readers/recording.js';
import { readWisdm2019 } from '../../data/readers/wisdm2019.js';
import { labelledWindows, toUniformRate, type LabelledSeries } from '../../data/signal/windowing.js';
import { ACTIVITY_NAMES, type ActivityName } from '../../protocol/sensor-messages.js';
import { cross, dot, normalize, orthogonalTo, scale, type Vec3 } from '../vec3.js';

const FORMATS = ['hapt', 'wisdm2019', 'mobifall'] as const;
export type FitFormat = (typeof FORMATS)[number];

const GAIT: readonly ActivityName[] = ['walking', 'upstairs', 'downstairs', 'jogging'];
/** Where to look for the step frequency (the strongest line of |a|), Hz. */
const STEP_BAND: Partial<Record<ActivityName, [number, number]>> = { jogging: [2.0, 3.6] };
const WALK_STEP_BAND: [number, number] = [1.2, 2.6];
const RATE = 50;
/** 10.24 s (about 9 strides) on HAPT's long runs; 5.12 s on pocket trials, whose stairs trials last ~10 s. */
const CHUNK: Record<FitFormat, number> = { hapt: 512, wisdm2019: 256, mobifall: 256 };
const HARMONICS = 8;
/** Longer holes in a recording break it (MobiFall has dropouts up to ~1 s). */
const MAX_GAP_MS = 150;

const CITATIONS: Record<FitFormat, string> = {
  hapt: 'HAPT RawData (J. L. Reyes-Ortiz, L. Oneto, A. Samà, X. Parra, D. Anguita, Transition-Aware Human Activity Recognition Using Smartphones, Neurocomputing 2016; see ../shared/data/hapt/SOURCES.md)',
  wisdm2019:
    'WISDM 2019 phone accelerometer, trouser pocket (G. M. Weiss, K. Yoneda, T. Hayajneh, Smartphone and Smartwatch-Based Biometrics Using Activities of Daily Living, IEEE Access 2019; see ../shared/data/wisdm2019/SOURCES.md)',
  mobifall:
    'MobiFall v2.0, trouser pocket (G. Vavoulas, M. Pediaditis, C. Chatzaki, E. G. Spanakis, M. Tsiknakis, The MobiFall Dataset, IJMSTR 2014; research use, cite; see ../shared/data/mobifall/SOURCES.md)',
};

export const spec = defineCommand({
  usage: 'npx tsx simulators/tools/fit-gait-profiles.ts --format hapt|wisdm2019|mobifall --data PATH [--out FILE] [--exclude-users LIST]',
  summary: 'Fits the synthetic phone gait and posture profiles to real recordings (hapt: waist; wisdm2019, mobifall: trouser pocket) and writes them as a TypeScript module.',
  options: {
    format: { type: 'string', choices: FORMATS, default: 'hapt', description: 'data set format (hapt: waist mount; wisdm2019, mobifall: pocket)' },
    data: { type: 'string', required: true, description: 'data folder, e.g. ../shared/data/hapt/RawData, ../shared/data/wisdm2019/raw, ../shared/data/mobifall' },
    out: { type: 'string', description: 'module to write (default simulators/gait-fits.ts for hapt, simulators/gait-fits-pocket-<format>.ts otherwise)' },
    'exclude-users': { type: 'string', description: "subjects left out (default for hapt: the HAR model's validation users 5,11,17,23,29; none otherwise)" },
  },
  notes: 'The last stdout line is JSON: {"format","out","users","chunks":{activity: n}}.',
});

interface Chunk {
  /** The recording's subject, when it has one. */
  user?: number;
  gravity: Vec3;
  strideHz: number;
  /** [axis][harmonic] = [re, im]: signal = sum_k re*cos(k*phi) - im*sin(k*phi). */
  coef: [number, number][][];
  variance: [number, number, number];
  /** Still postures: sd per phone axis, and of its sample-to-sample part (first differences / sqrt 2: white sensor noise). */
  stillSd: number;
  stillHfSd: number;
  /** Lag-1 autocorrelation at RATE of what the gait cycle leaves over. */
  residualRho: number;
}

type Series = Pick<LabelledSeries, 'x' | 'y' | 'z'>;

/** HAPT's body axes: vertical along gravity, e1 the phone's y made horizontal, e2 = vertical x e1. */
export function bodyAxes(gravity: Vec3): [Vec3, Vec3, Vec3] {
  const up = normalize(gravity);
  const e1 = orthogonalTo(up, [0, 1, 0]);
  return [up, e1, cross(up, e1)];
}

/** Pocket: any horizontal pair to start with (turned to the swing plane after the fit). */
function anyHorizontalAxes(gravity: Vec3): [Vec3, Vec3, Vec3] {
  const up = normalize(gravity);
  const phoneAxes: Vec3[] = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ];
  const hint = phoneAxes.reduce((best, a) => (Math.abs(dot(a, up)) < Math.abs(dot(best, up)) ? a : best));
  const h1 = orthogonalTo(up, hint);
  return [up, h1, cross(up, h1)];
}

function strongestStepHz(mag: Float64Array, band: [number, number]): number {
  const n = mag.length;
  const magMean = mag.reduce((a, b) => a + b, 0) / n;
  let best = 0;
  let stepHz = band[0];
  for (let f = band[0]; f <= band[1]; f += 0.005) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < n; i++) {
      const ph = (2 * Math.PI * f * i) / RATE;
      re += (mag[i]! - magMean) * Math.cos(ph);
      im += (mag[i]! - magMean) * Math.sin(ph);
    }
    if (re * re + im * im > best) {
      best = re * re + im * im;
      stepHz = f;
    }
  }
  return stepHz;
}

/** Least squares over cos/sin of every harmonic of the stride, per signal. */
function fitHarmonics(signals: Float64Array[], strideHz: number): [number, number][][] {
  const n = signals[0]!.length;
  const cols = 2 * HARMONICS;
  const basis = (i: number, c: number) => {
    const k = Math.floor(c / 2) + 1;
    const ph = (2 * Math.PI * k * strideHz * i) / RATE;
    return c % 2 === 0 ? Math.cos(ph) : Math.sin(ph);
  };
  const ata = Array.from({ length: cols }, () => new Float64Array(cols));
  for (let i = 0; i < n; i++) for (let a = 0; a < cols; a++) for (let b = 0; b < cols; b++) ata[a]![b]! += basis(i, a) * basis(i, b);
  return signals.map((s) => {
    const atb = new Float64Array(cols);
    for (let i = 0; i < n; i++) for (let a = 0; a < cols; a++) atb[a]! += basis(i, a) * s[i]!;
    const beta = solve(
      ata.map((r) => Float64Array.from(r)),
      atb,
    );
    return Array.from({ length: HARMONICS }, (_, k): [number, number] => [beta[2 * k]!, -beta[2 * k + 1]!]);
  });
}

/** Shifts the cycle's phase by `shift` (harmonic k turns by k * shift). */
const shifted = (coef: [number, number][][], shift: number) => coef.map((axis) => axis.map(([re, im], k): [number, number] => rotate(re, im, -(k + 1) * shift)));

function fitChunk(s: Series, from: number, n: number, activity: ActivityName, placement: 'waist' | 'pocket'): Chunk {
  let g: Vec3 = [0, 0, 0];
  for (let i = from; i < from + n; i++) g = [g[0] + s.x[i]!, g[1] + s.y[i]!, g[2] + s.z[i]!];
  g = scale(g, 1 / n);
  const axes = placement === 'waist' ? bodyAxes(g) : anyHorizontalAxes(g);
  const sig = axes.map((axis) => {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = dot(axis, [s.x[from + i]!, s.y[from + i]!, s.z[from + i]!]);
    const mean = v.reduce((a, b) => a + b, 0) / n;
    return v.map((x) => x - mean);
  });
  const mag = new Float64Array(n);
  for (let i = 0; i < n; i++) mag[i] = Math.hypot(s.x[from + i]!, s.y[from + i]!, s.z[from + i]!);
  const strideHz = strongestStepHz(mag, STEP_BAND[activity] ?? WALK_STEP_BAND) / 2;
  let coef = fitHarmonics(sig, strideHz);
  const residualRho = lag1Correlation(sig, coef, strideHz);
  if (placement === 'pocket') coef = turnToSwingPlane(coef);
  // Align the cycle: the step (k = 2) of the vertical axis at phase 0. Of the two strides that
  // satisfy it: waist (HAPT), the one whose lateral stride component (k = 1 on e2) is positive;
  // pocket, the one whose vertical stride component is (the phone's own leg lands once a stride).
  const theta = Math.atan2(coef[0]![1]![1], coef[0]![1]![0]);
  const pick = placement === 'waist' ? (c: [number, number][][]) => c[2]![0]![0] : (c: [number, number][][]) => c[0]![0]![0];
  let aligned: [number, number][][] | undefined;
  for (const shift of [theta / 2, theta / 2 + Math.PI]) {
    const c = shifted(coef, shift);
    if (!aligned || pick(c) > pick(aligned)) aligned = c;
  }
  if (placement === 'pocket') {
    // The horizontal axes' signs are free: each is chosen so its stride component is positive
    // (e2 may then be mirrored: left and right pockets are mirror images; the phone picks a leg).
    for (const axis of [1, 2]) if (aligned![axis]![0]![0] < 0) aligned![axis] = aligned![axis]!.map(([re, im]) => [-re, -im]);
  }
  const variance = sig.map((v) => v.reduce((a, x) => a + x * x, 0) / n) as [number, number, number];
  return { gravity: normalize(g), strideHz, coef: aligned!, variance, residualRho, ...stillness(s, from, n) };
}

/** Lag-1 autocorrelation of what the cycle leaves over (pooled over the axes): how smooth the step-to-step variation is. */
function lag1Correlation(sig: Float64Array[], coef: [number, number][][], strideHz: number): number {
  let num = 0;
  let den = 0;
  sig.forEach((v, axis) => {
    const r = v.map((x, i) => {
      const phi = (2 * Math.PI * strideHz * i) / RATE;
      return x - coef[axis]!.reduce((acc, [re, im], k) => acc + re * Math.cos((k + 1) * phi) - im * Math.sin((k + 1) * phi), 0);
    });
    for (let i = 0; i < r.length; i++) {
      den += r[i]! * r[i]!;
      if (i > 0) num += r[i]! * r[i - 1]!;
    }
  });
  return num / den;
}

/** Mean over the phone's axes of the sd, and of the first differences' sd / sqrt 2. */
function stillness(s: Series, from: number, n: number): { stillSd: number; stillHfSd: number } {
  let sd = 0;
  let hf = 0;
  for (const v of [s.x, s.y, s.z]) {
    let mean = 0;
    for (let i = from; i < from + n; i++) mean += v[i]! / n;
    let ss = 0;
    let dd = 0;
    for (let i = from; i < from + n; i++) {
      ss += (v[i]! - mean) ** 2;
      if (i > from) dd += (v[i]! - v[i - 1]!) ** 2;
    }
    sd += Math.sqrt(ss / n) / 3;
    hf += Math.sqrt(dd / (n - 1) / 2) / 3;
  }
  return { stillSd: sd, stillHfSd: hf };
}

/**
 * Turns the horizontal pair (axes 1, 2) to the plane the thigh swings in: e1 the horizontal
 * direction with the largest stride (k = 1) motion, e2 = vertical x e1.
 */
function turnToSwingPlane(coef: [number, number][][]): [number, number][][] {
  const [c1, c2] = [coef[1]![0]!, coef[2]![0]!];
  const p11 = c1[0] ** 2 + c1[1] ** 2;
  const p22 = c2[0] ** 2 + c2[1] ** 2;
  const p12 = c1[0] * c2[0] + c1[1] * c2[1];
  const a = 0.5 * Math.atan2(2 * p12, p11 - p22);
  const [ca, sa] = [Math.cos(a), Math.sin(a)];
  const e1 = coef[1]!.map(([r1, i1], k): [number, number] => [ca * r1 + sa * coef[2]![k]![0], ca * i1 + sa * coef[2]![k]![1]]);
  const e2 = coef[1]!.map(([r1, i1], k): [number, number] => [-sa * r1 + ca * coef[2]![k]![0], -sa * i1 + ca * coef[2]![k]![1]]);
  return [coef[0]!, e1, e2];
}

function rotate(re: number, im: number, angle: number): [number, number] {
  return [re * Math.cos(angle) - im * Math.sin(angle), re * Math.sin(angle) + im * Math.cos(angle)];
}

/** Gaussian elimination with partial pivoting (small, well-conditioned systems). */
function solve(a: Float64Array[], b: Float64Array): Float64Array {
  const n = b.length;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    [b[c], b[p]] = [b[p]!, b[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k < n; k++) a[r]![k]! -= f * a[c]![k]!;
      b[r]! -= f * b[c]!;
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let k = r + 1; k < n; k++) s -= a[r]![k]! * x[k]!;
    x[r] = s / a[r]![r]!;
  }
  return x;
}

const round = (v: number, d = 4) => Math.round(v * 10 ** d) / 10 ** d;

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Degrees between gravity and the phone's long axis, either way up. */
const tiltFromLongAxis = (g: Vec3): number => (Math.acos(Math.min(1, Math.abs(g[1]))) * 180) / Math.PI;

async function read(format: FitFormat, path: string): Promise<Recording[]> {
  if (format === 'hapt') return readHapt(path);
  return format === 'wisdm2019' ? readWisdm2019(path) : readMobiFall(path);
}

/** The mean gait cycle over chunks; `smoothness`: whether the residual's lag-1 correlation means anything (not on upsampled data). */
function gaitFit(chunks: Chunk[], smoothness: boolean) {
  const mean = (f: (c: Chunk) => number) => chunks.reduce((s, c) => s + f(c), 0) / chunks.length;
  const strideHz = mean((c) => c.strideHz);
  return {
    chunks: chunks.length,
    strideHz: round(strideHz),
    strideHzSd: round(Math.sqrt(mean((c) => (c.strideHz - strideHz) ** 2))),
    totalSd: [0, 1, 2].map((a) => round(Math.sqrt(mean((c) => c.variance[a]!)))),
    /** Lag-1 correlation at 50 Hz of what the mean cycle leaves over; null when the data were
     *  upsampled to 50 Hz (interpolation alone would make it look smooth). */
    residualRho: smoothness ? round(mean((c) => c.residualRho)) : null,
    coef: [0, 1, 2].map((a) => Array.from({ length: HARMONICS }, (_, k) => [round(mean((c) => c.coef[a]![k]![0])), round(mean((c) => c.coef[a]![k]![1]))])),
  };
}

export type GaitFitResult = ReturnType<typeof gaitFit>;

interface CommonFit {
  /** Chunks per activity. */
  chunks: Partial<Record<ActivityName, number>>;
  gait: Partial<Record<ActivityName, GaitFitResult>>;
}
export type ProfileFit =
  | (CommonFit & { placement: 'waist'; gravity: Partial<Record<ActivityName, number[]>> })
  | (CommonFit & {
      placement: 'pocket';
      tiltDeg: Partial<Record<ActivityName, number>>;
      crosswiseShare: number;
      stillness: Partial<Record<ActivityName, { sd: number; hfSd: number }>>;
      /** Per gait activity, each person's own mean cycle (people with MIN_PERSON_CHUNKS chunks or more). */
      people: Partial<Record<ActivityName, (GaitFitResult & { user: number })[]>>;
    });

/** A person's own cycle needs this many chunks (about 20 s of walking at the pocket chunk size). */
const MIN_PERSON_CHUNKS = 4;

/** The fit of recordings in g (any rate: they are resampled by timestamp); nothing is read or written. */
export function fitProfiles(format: FitFormat, recordings: readonly Recording[]): ProfileFit {
  const placement = format === 'hapt' ? 'waist' : 'pocket';
  const chunkSize = CHUNK[format];
  const byActivity = new Map<ActivityName, Chunk[]>();
  for (const rec of recordings) {
    const s = toUniformRate(rec, RATE, { maxGapMs: MAX_GAP_MS });
    for (const w of labelledWindows(s, { size: chunkSize, hop: chunkSize / 2, rateHz: RATE })) {
      if (w.label === 'stairs') continue; // a direction is needed (WISDM does not say)
      const list = byActivity.get(w.label) ?? [];
      list.push({ ...fitChunk(s, w.start, chunkSize, w.label, placement), ...(rec.user !== undefined ? { user: rec.user } : {}) });
      byActivity.set(w.label, list);
    }
  }
  const activities = ACTIVITY_NAMES.filter((a) => byActivity.has(a));
  const of = (a: ActivityName) => byActivity.get(a)!;
  const chunks = Object.fromEntries(activities.map((a) => [a, of(a).length]));
  const rates = recordings.map((r) => r.rateHz ?? RATE).sort((a, b) => a - b);
  const upsampled = (rates[rates.length >> 1] ?? RATE) < RATE * 0.95;
  const gait = Object.fromEntries(activities.filter((a) => GAIT.includes(a)).map((a) => [a, gaitFit(of(a), !upsampled)]));
  if (placement === 'waist') {
    const gravity = Object.fromEntries(
      activities.map((a) => {
        const m = (k: number) => of(a).reduce((s, c) => s + c.gravity[k]!, 0) / of(a).length;
        return [a, normalize([m(0), m(1), m(2)]).map((v) => round(v))];
      }),
    );
    return { placement, chunks, gait, gravity };
  }
  // Upright (standing, gait), a phone whose x axis is nearer gravity than its y lies across the
  // thigh: counted in crosswiseShare and left out of the tilt (seated, that cannot be told).
  const isUpright = (a: ActivityName) => a === 'standing' || GAIT.includes(a);
  const crosswise = (c: Chunk) => Math.abs(c.gravity[0]) > Math.abs(c.gravity[1]);
  const tiltDeg = Object.fromEntries(
    activities.map((a) => [
      a,
      round(
        median(
          of(a)
            .filter((c) => !isUpright(a) || !crosswise(c))
            .map((c) => tiltFromLongAxis(c.gravity)),
        ),
        1,
      ),
    ]),
  );
  const upright = activities.filter(isUpright).flatMap(of);
  const crosswiseShare = round(upright.filter(crosswise).length / Math.max(1, upright.length), 3);
  const stillness = Object.fromEntries(
    activities.filter((a) => !GAIT.includes(a)).map((a) => [a, { sd: round(median(of(a).map((c) => c.stillSd)), 5), hfSd: round(median(of(a).map((c) => c.stillHfSd)), 5) }]),
  );
  // The population's mean cycle blurs people's own (their horizontal motion partly cancels:
  // MobiFall walking, the cycle holds 24% and 2% of the horizontal axes' variance, one person's
  // 58% and 29%), so each person's mean cycle is kept too.
  const people = Object.fromEntries(
    Object.keys(gait).map((a) => {
      const users = [
        ...new Set(
          of(a as ActivityName)
            .map((c) => c.user)
            .filter((u): u is number => u !== undefined),
        ),
      ].sort((x, y) => x - y);
      const own = users
        .map((user) => ({ user, list: of(a as ActivityName).filter((c) => c.user === user) }))
        .filter(({ list }) => list.length >= MIN_PERSON_CHUNKS)
        .map(({ user, list }) => ({ user, ...gaitFit(list, !upsampled) }));
      return [a, own];
    }),
  );
  return { placement, chunks, gait, tiltDeg, crosswiseShare, stillness, people };
}

export async function main(argv: string[]): Promise<void> {
  const o = parseOptions(spec, argv);
  const format: FitFormat = o.format;
  const out = o.out === undefined ? fileURLToPath(new URL(format === 'hapt' ? '../gait-fits.ts' : `../gait-fits-pocket-${format}.ts`, import.meta.url)) : o.out;
  const excludedText = o['exclude-users'] === undefined ? (format === 'hapt' ? '5,11,17,23,29' : '') : o['exclude-users'];
  const excluded = new Set(excludedText.split(',').filter(Boolean).map(Number));
  if ([...excluded].some((u) => !Number.isInteger(u))) throw new CliError(`--exclude-users must be whole numbers separated by commas (got '${excludedText}')`);
  const recordings = (await read(format, o.data)).filter((r) => r.user === undefined || !excluded.has(r.user));
  const users = [...new Set(recordings.map((r) => r.user))].sort((a, b) => (a ?? 0) - (b ?? 0));
  const fit = fitProfiles(format, recordings);
  if (Object.keys(fit.chunks).length === 0) throw new Error(`no labelled runs of ${CHUNK[format]} samples at ${RATE} Hz in ${o.data}`);
  for (const [activity, g] of Object.entries(fit.gait)) console.error(`fit: ${activity}: ${g.chunks} chunks, stride ${g.strideHz.toFixed(3)} Hz`);
  const command = `npx tsx simulators/tools/fit-gait-profiles.ts --format ${format} --data ${relative(process.cwd(), o.data) || '.'}${o['exclude-users'] !== undefined ? ` --exclude-users ${excludedText}` : ''}`;
  const header = [
    `// GENERATED by \`${command}\` (do not edit).`,
    `// Aggregate statistics of ${CITATIONS[format]},`,
    `// users ${users.join(',')}${excluded.size ? ` (users ${[...excluded].join(',')} left out)` : ''}.`,
    `// ${CHUNK[format]}-sample chunks at ${RATE} Hz (resampled by timestamp), body axes as in tools/fit-gait-profiles.ts.`,
    '',
  ];
  const body =
    fit.placement === 'waist'
      ? [
          '/** Mean gravity direction per activity in the phone frame (HAPT waist mount). */',
          `export const GRAVITY_FITS = ${JSON.stringify(fit.gravity)} as const;`,
          '',
          '/** Mean gait cycle per gait activity: coef[axis][k-1] = [re, im] of harmonic k of the stride (axes: vertical, e1, e2). */',
          `export const GAIT_FITS = ${JSON.stringify(fit.gait)} as const;`,
        ]
      : [
          '/**',
          " * Pocket fit. tiltDeg: per activity, the median angle between gravity and the phone's long axis",
          ' * (either way up; upright activities: phones along the thigh only). crosswiseShare: the share',
          " * of upright chunks (standing, gait) whose gravity is nearer the phone's x axis than its y (the",
          ' * phone lay across the thigh). gait: mean gait cycle per gait activity, coef[axis][k-1] = [re, im]',
          ' * of harmonic k of the stride (axes: vertical, e1 = the horizontal direction of the largest stride',
          " * motion (the thigh's swing), e2 = vertical x e1, signs chosen so that each axis's stride",
          ' * component is positive). stillness: per activity where one stays still, the median over chunks of',
          ' * the sd per phone axis and of its sample-to-sample part (first differences / sqrt 2). people:',
          " * per gait activity, each person's own mean cycle (same fields as gait, with the user).",
          ' */',
          `export const POCKET_FIT = ${JSON.stringify({ dataset: format, users, chunks: fit.chunks, tiltDeg: fit.tiltDeg, crosswiseShare: fit.crosswiseShare, stillness: fit.stillness, gait: fit.gait, people: fit.people })} as const;`,
        ];
  writeFileSync(out, [...header, ...body, ''].join('\n'));
  console.error(`fit: wrote ${out}`);
  console.log(JSON.stringify({ format, out, users, chunks: fit.chunks }));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await runMain('fit-gait-profiles', () => main(process.argv.slice(2)));
