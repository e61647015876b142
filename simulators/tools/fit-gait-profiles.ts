// Fits the synthetic phone's activity profiles to HAPT and writes simulators/gait-fits.ts:
//  - per activity, the mean gravity direction in the phone frame (HAPT waist mount);
//  - per gait activity, the mean gait cycle as Fourier coefficients of the stride frequency
//    (k = 1..8 harmonics; the step is k = 2) on three body axes (vertical = gravity, e1 = the
//    phone's y axis made horizontal, e2 = vertical x e1), the stride frequency's mean and spread,
//    and each axis's total sd (what the mean cycle leaves over is step-to-step variation).
// Only aggregate statistics leave the data (no samples). Run:
//   npx tsx simulators/tools/fit-gait-profiles.ts --data ../shared/data/hapt/RawData
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseOptions, type CommandSpec } from '../../cli/args.js';
import { runMain } from '../../cli/subcommands.js';
import { readHapt } from '../../data/readers/index.js';
import type { Recording } from '../../data/readers/recording.js';
import { ACTIVITIES, type Activity } from '../../protocol/sensor-messages.js';
import { cross, dot, normalize, orthogonalTo, scale, type Vec3 } from '../vec3.js';

const GAIT: readonly Activity[] = ['walking', 'upstairs', 'downstairs'];
const RATE = 50;
const CHUNK = 512; // 10.24 s: about 9 strides, short enough that cadence barely drifts
const HARMONICS = 8;

const spec: CommandSpec = {
  usage: 'npx tsx simulators/tools/fit-gait-profiles.ts --data PATH [--out FILE]',
  summary: 'Fits the synthetic phone gait and posture profiles to HAPT RawData and writes them as a TypeScript module.',
  options: {
    data: { type: 'string', required: true, description: 'HAPT RawData folder, e.g. ../shared/data/hapt/RawData' },
    out: { type: 'string', default: fileURLToPath(new URL('../gait-fits.ts', import.meta.url)), description: 'module to write' },
    'exclude-users': { type: 'string', default: '5,11,17,23,29', description: "subjects left out (default: the HAR model's validation users)" },
  },
};

interface Chunk {
  gravity: Vec3;
  strideHz: number;
  /** [axis][harmonic] = [re, im]: signal = sum_k re*cos(k*phi) - im*sin(k*phi). */
  coef: [number, number][][];
  variance: [number, number, number];
}

/** Runs of one label, as [start, end) sample ranges. */
function runsOf(rec: Recording, label: Activity): [number, number][] {
  const out: [number, number][] = [];
  let start = -1;
  for (let i = 0; i <= rec.labels.length; i++) {
    const on = i < rec.labels.length && rec.labels[i] === label;
    if (on && start < 0) start = i;
    if (!on && start >= 0) {
      out.push([start, i]);
      start = -1;
    }
  }
  return out;
}

/** The body axes of a chunk: vertical along gravity, e1 the phone's y made horizontal, e2 = vertical x e1. */
export function bodyAxes(gravity: Vec3): [Vec3, Vec3, Vec3] {
  const up = normalize(gravity);
  const e1 = orthogonalTo(up, [0, 1, 0]);
  return [up, e1, cross(up, e1)];
}

function fitChunk(rec: Recording, from: number): Chunk {
  const n = CHUNK;
  let g: Vec3 = [0, 0, 0];
  for (let i = from; i < from + n; i++) g = [g[0] + rec.x[i]!, g[1] + rec.y[i]!, g[2] + rec.z[i]!];
  g = scale(g, 1 / n);
  const axes = bodyAxes(g);
  const sig = axes.map((axis) => {
    const s = new Float64Array(n);
    for (let i = 0; i < n; i++) s[i] = dot(axis, [rec.x[from + i]!, rec.y[from + i]!, rec.z[from + i]!]);
    const mean = s.reduce((a, b) => a + b, 0) / n;
    return s.map((v) => v - mean);
  });
  // Step frequency: the strongest line of |a| between 1.2 and 2.6 Hz.
  const mag = new Float64Array(n);
  for (let i = 0; i < n; i++) mag[i] = Math.hypot(rec.x[from + i]!, rec.y[from + i]!, rec.z[from + i]!);
  const magMean = mag.reduce((a, b) => a + b, 0) / n;
  let best = 0;
  let stepHz = 0;
  for (let f = 1.2; f <= 2.6; f += 0.005) {
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
  const strideHz = stepHz / 2;
  // Least squares over cos/sin of every harmonic of the stride.
  const cols = 2 * HARMONICS;
  const basis = (i: number, c: number) => {
    const k = Math.floor(c / 2) + 1;
    const ph = (2 * Math.PI * k * strideHz * i) / RATE;
    return c % 2 === 0 ? Math.cos(ph) : Math.sin(ph);
  };
  const ata = Array.from({ length: cols }, () => new Float64Array(cols));
  for (let i = 0; i < n; i++) for (let a = 0; a < cols; a++) for (let b = 0; b < cols; b++) ata[a]![b]! += basis(i, a) * basis(i, b);
  const coef = sig.map((s) => {
    const atb = new Float64Array(cols);
    for (let i = 0; i < n; i++) for (let a = 0; a < cols; a++) atb[a]! += basis(i, a) * s[i]!;
    const beta = solve(ata.map((r) => Float64Array.from(r)), atb);
    return Array.from({ length: HARMONICS }, (_, k): [number, number] => [beta[2 * k]!, -beta[2 * k + 1]!]);
  });
  // Align the cycle: the step (k = 2) of the vertical axis at phase 0; of the two strides that
  // satisfy it, the one whose lateral stride component (k = 1 on e2) is positive.
  const theta = Math.atan2(coef[0]![1]![1], coef[0]![1]![0]);
  let aligned: [number, number][][] | undefined;
  for (const shift of [theta / 2, theta / 2 + Math.PI]) {
    const c = coef.map((axis) => axis.map(([re, im], k): [number, number] => rotate(re, im, -(k + 1) * shift)));
    if (!aligned || c[2]![0]![0] > aligned[2]![0]![0]) aligned = c;
  }
  const variance = sig.map((s) => s.reduce((a, v) => a + v * v, 0) / n) as [number, number, number];
  return { gravity: normalize(g), strideHz, coef: aligned!, variance };
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

async function main(argv: string[]): Promise<void> {
  const o = parseOptions(spec, argv);
  const excluded = new Set(String(o['exclude-users']).split(',').filter(Boolean).map(Number));
  const recordings = (await readHapt(String(o.data))).filter((r) => r.user === undefined || !excluded.has(r.user));
  const users = [...new Set(recordings.map((r) => r.user))].sort((a, b) => (a ?? 0) - (b ?? 0));
  const gravity: Record<string, number[]> = {};
  const gait: Record<string, unknown> = {};
  for (const activity of ACTIVITIES) {
    const chunks: Chunk[] = [];
    for (const rec of recordings) {
      for (const [start, end] of runsOf(rec, activity)) {
        for (let from = start; from + CHUNK <= end; from += CHUNK / 2) chunks.push(fitChunk(rec, from));
      }
    }
    if (chunks.length === 0) throw new Error(`no ${activity} runs of ${CHUNK} samples in ${o.data}`);
    const mean = (f: (c: Chunk) => number) => chunks.reduce((s, c) => s + f(c), 0) / chunks.length;
    gravity[activity] = normalize([mean((c) => c.gravity[0]), mean((c) => c.gravity[1]), mean((c) => c.gravity[2])]).map((v) => round(v));
    if (!GAIT.includes(activity)) continue;
    const strideHz = mean((c) => c.strideHz);
    gait[activity] = {
      chunks: chunks.length,
      strideHz: round(strideHz),
      strideHzSd: round(Math.sqrt(mean((c) => (c.strideHz - strideHz) ** 2))),
      totalSd: [0, 1, 2].map((a) => round(Math.sqrt(mean((c) => c.variance[a]!)))),
      coef: [0, 1, 2].map((a) => Array.from({ length: HARMONICS }, (_, k) => [round(mean((c) => c.coef[a]![k]![0])), round(mean((c) => c.coef[a]![k]![1]))])),
    };
    console.error(`fit: ${activity}: ${chunks.length} chunks, stride ${strideHz.toFixed(3)} Hz`);
  }
  const text = [
    '// GENERATED by `npx tsx simulators/tools/fit-gait-profiles.ts --data ../shared/data/hapt/RawData` (do not edit).',
    '// Aggregate statistics of HAPT RawData (J. L. Reyes-Ortiz, L. Oneto, A. Samà, X. Parra, D. Anguita, Transition-Aware',
    `// Human Activity Recognition Using Smartphones, Neurocomputing 2016; see ../shared/data/hapt/SOURCES.md), users ${users.join(',')}`,
    `// (users ${[...excluded].join(',')} left out). ${CHUNK}-sample chunks at ${RATE} Hz, body axes as in tools/fit-gait-profiles.ts.`,
    '',
    '/** Mean gravity direction per activity in the phone frame (HAPT waist mount). */',
    `export const GRAVITY_FITS = ${JSON.stringify(gravity)} as const;`,
    '',
    '/** Mean gait cycle per gait activity: coef[axis][k-1] = [re, im] of harmonic k of the stride (axes: vertical, e1, e2). */',
    `export const GAIT_FITS = ${JSON.stringify(gait)} as const;`,
    '',
  ].join('\n');
  writeFileSync(String(o.out), text);
  console.error(`fit: wrote ${o.out}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await runMain('fit-gait-profiles', () => main(process.argv.slice(2)));
