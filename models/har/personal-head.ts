// A person's own classifier head: softmax regression on the shared network's pooled features
// (the input of its final Dense layer), started from the shared head's weights and pulled back
// towards them, fitted on a few labelled calibration windows. Plain JavaScript on Float32Arrays:
// deterministic (no random init, full-batch steps in a fixed order), no tensors to leak, and
// cheap enough (~100 windows x ~100 features x ~7 classes) to fit in well under a second in small
// slices on the server's main thread while the shared trunk keeps serving in the inference worker.
import { createHash } from 'node:crypto';

/** The shared network's final Dense layer: logits = features · kernel + bias. */
export interface HeadWeights {
  classes: readonly string[];
  featureSize: number;
  /** [featureSize, classes] row-major (tfjs Dense kernel layout). */
  kernel: Float32Array;
  bias: Float32Array;
}

/** A fitted personal head, and what it was fitted from. */
export interface PersonalHead extends HeadWeights {
  /** Fingerprint of the shared head it started from: a head for another model is not used. */
  sharedFingerprint: string;
  /** Classes that had calibration windows (the others keep the shared head's weights). */
  calibrated: string[];
  /** Calibration windows per truth label. */
  windows: Record<string, number>;
  /** Share of calibration windows the head gets right after fitting. */
  trainAccuracy: number;
  fittedAt: string;
  /**
   * Where the phone was during calibration (the network reads the placement, so the features —
   * and the head — belong to it). Set by the server; absent: not known.
   */
  placement?: string;
}

/** One labelled calibration window: the shared trunk's features and its truth. */
export interface CalibrationWindow {
  features: Float32Array;
  /** A class name, or 'stairs' (either stairs class counts as right). */
  truth: string;
}

export type CalibrationErrorCode = 'too-little-data' | 'one-class' | 'unknown-label' | 'bad-features';

/** Calibration input that cannot give a personal head; the shared model is untouched. */
export class CalibrationError extends Error {
  constructor(
    readonly code: CalibrationErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CalibrationError';
  }
}

export interface FitOptions {
  /** Full-batch gradient steps (default 300). */
  steps?: number;
  /** Adam learning rate (default 0.01). */
  learningRate?: number;
  /** Weight of the pull towards the shared head, per weight (default 1e-3). */
  l2ToShared?: number;
  /** Fewest windows each calibrated label needs (default 3: 5.12 s of 2.56-s windows with hop 1.28 s). */
  minWindowsPerLabel?: number;
  /** Called between slices of steps; awaiting it lets other work run (the server yields to its event loop). */
  yieldEvery?: { steps: number; yield: () => Promise<void> };
}

export const DEFAULT_FIT: Required<Omit<FitOptions, 'yieldEvery'>> = { steps: 300, learningRate: 0.01, l2ToShared: 1e-3, minWindowsPerLabel: 3 };

const STAIRS = 'stairs';
const STAIRS_CLASSES = ['upstairs', 'downstairs'];

/** A short stable id of a head's weights and classes (hex sha-256 prefix). */
export function headFingerprint(head: HeadWeights): string {
  const h = createHash('sha256');
  h.update(head.classes.join(','));
  h.update(`|${head.featureSize}|`);
  h.update(new Uint8Array(head.kernel.buffer, head.kernel.byteOffset, head.kernel.byteLength));
  h.update(new Uint8Array(head.bias.buffer, head.bias.byteOffset, head.bias.byteLength));
  return h.digest('hex').slice(0, 16);
}

/** The class indices a truth label stands for, or undefined when the head lacks them. */
export function truthTargets(classes: readonly string[], truth: string): number[] | undefined {
  if (truth === STAIRS) {
    const idx = STAIRS_CLASSES.map((c) => classes.indexOf(c)).filter((i) => i >= 0);
    return idx.length > 0 ? idx : undefined;
  }
  const i = classes.indexOf(truth);
  return i >= 0 ? [i] : undefined;
}

/**
 * Checks calibration windows: every truth must be a class of the head (or 'stairs' with a stairs
 * class), at least two classes, and at least `minWindowsPerLabel` windows of each label.
 * Throws CalibrationError; returns the windows per label.
 */
export function checkCalibration(shared: HeadWeights, windows: readonly CalibrationWindow[], minWindowsPerLabel = DEFAULT_FIT.minWindowsPerLabel): Map<string, number> {
  const counts = new Map<string, number>();
  for (const w of windows) {
    if (w.features.length !== shared.featureSize) {
      throw new CalibrationError('bad-features', `a calibration window has ${w.features.length} features; the model's head takes ${shared.featureSize}`);
    }
    counts.set(w.truth, (counts.get(w.truth) ?? 0) + 1);
  }
  const unknown = [...counts.keys()].filter((t) => truthTargets(shared.classes, t) === undefined);
  if (unknown.length > 0) {
    throw new CalibrationError('unknown-label', `the model has no class ${unknown.map((u) => `'${u}'`).join(', ')} (its classes: ${shared.classes.join(', ')})`);
  }
  const short = [...counts].filter(([, n]) => n < minWindowsPerLabel);
  if (short.length > 0) {
    throw new CalibrationError(
      'too-little-data',
      `too little data for ${short.map(([l, n]) => `'${l}' (${n} window${n === 1 ? '' : 's'})`).join(', ')}: each activity needs at least ${minWindowsPerLabel} windows (about 5 s)`,
    );
  }
  if (counts.size < 2) {
    throw new CalibrationError('one-class', `calibration needs at least two different activities (got only ${[...counts.keys()].map((l) => `'${l}'`).join(', ') || 'none'})`);
  }
  return counts;
}

/**
 * Fits a personal head on calibration windows, starting from (and regularised towards) the
 * shared head. Classes without calibration windows keep their shared weights. Deterministic.
 */
export async function fitPersonalHead(shared: HeadWeights, windows: readonly CalibrationWindow[], opts: FitOptions = {}): Promise<PersonalHead> {
  const o = { ...DEFAULT_FIT, ...opts };
  const counts = checkCalibration(shared, windows, o.minWindowsPerLabel);
  const F = shared.featureSize;
  const C = shared.classes.length;
  const n = windows.length;
  const targets = windows.map((w) => truthTargets(shared.classes, w.truth)!);
  // Each label weighs the same however long it was recorded.
  const weight = windows.map((w) => 1 / (counts.get(w.truth)! * counts.size));
  const trainable = new Uint8Array(C);
  for (const t of targets) for (const c of t) trainable[c] = 1;

  // Features are scaled by one number (their RMS) so that one learning rate suits any trunk.
  let sq = 0;
  for (const w of windows) for (let f = 0; f < F; f++) sq += w.features[f]! * w.features[f]!;
  const scale = Math.sqrt(sq / (n * F)) || 1;
  const X = new Float32Array(n * F);
  for (let i = 0; i < n; i++) for (let f = 0; f < F; f++) X[i * F + f] = windows[i]!.features[f]! / scale;
  // In scaled coordinates the kernel is kernel * scale; the bias is unchanged.
  const W0 = Float64Array.from(shared.kernel, (v) => v * scale);
  const W = Float64Array.from(W0);
  const b0 = Float64Array.from(shared.bias);
  const b = Float64Array.from(b0);

  const gW = new Float64Array(F * C);
  const gb = new Float64Array(C);
  const adamW = adam(F * C);
  const adamB = adam(C);
  const logits = new Float64Array(C);
  const p = new Float64Array(C);
  const slice = opts.yieldEvery;
  for (let step = 1; step <= o.steps; step++) {
    gW.fill(0);
    gb.fill(0);
    for (let i = 0; i < n; i++) {
      softmaxRow(X, i, F, W, b, logits, p);
      // -log(sum of p over the target set): the gradient is p - p restricted to the set, renormalised.
      const tgt = targets[i]!;
      let mass = 0;
      for (const c of tgt) mass += p[c]!;
      const wi = weight[i]!;
      for (let c = 0; c < C; c++) {
        const q = tgt.includes(c) ? p[c]! / mass : 0;
        const d = (p[c]! - q) * wi;
        if (d === 0) continue;
        gb[c] += d;
        const xo = i * F;
        for (let f = 0; f < F; f++) gW[f * C + c] += d * X[xo + f]!;
      }
    }
    for (let k = 0; k < F * C; k++) gW[k] += 2 * o.l2ToShared * (W[k]! - W0[k]!);
    for (let c = 0; c < C; c++) gb[c] += 2 * o.l2ToShared * (b[c]! - b0[c]!);
    // Only the calibrated classes move: the others keep the shared head's weights.
    for (let f = 0; f < F; f++) for (let c = 0; c < C; c++) if (!trainable[c]) gW[f * C + c] = 0;
    for (let c = 0; c < C; c++) if (!trainable[c]) gb[c] = 0;
    adamW.step(W, gW, o.learningRate, step);
    adamB.step(b, gb, o.learningRate, step);
    if (slice && step % slice.steps === 0 && step < o.steps) await slice.yield();
  }

  const kernel = Float32Array.from(W, (v) => v / scale);
  const bias = Float32Array.from(b);
  const head: PersonalHead = {
    classes: [...shared.classes],
    featureSize: F,
    kernel,
    bias,
    sharedFingerprint: headFingerprint(shared),
    calibrated: shared.classes.filter((_, c) => trainable[c]),
    windows: Object.fromEntries(counts),
    trainAccuracy: 0,
    fittedAt: new Date().toISOString(),
  };
  let right = 0;
  const probs = new Float32Array(C);
  for (let i = 0; i < n; i++) {
    applyHead(head, windows[i]!.features, probs);
    if (targets[i]!.includes(argmax(probs))) right++;
  }
  head.trainAccuracy = right / n;
  return head;
}

/** Class probabilities of one window's features through a head, written into `out` (length classes). */
export function applyHead(head: HeadWeights, features: ArrayLike<number>, out: Float32Array): Float32Array {
  const C = head.classes.length;
  const F = head.featureSize;
  let max = -Infinity;
  for (let c = 0; c < C; c++) {
    let z = head.bias[c]!;
    for (let f = 0; f < F; f++) z += features[f]! * head.kernel[f * C + c]!;
    out[c] = z;
    if (z > max) max = z;
  }
  let sum = 0;
  for (let c = 0; c < C; c++) sum += out[c] = Math.exp(out[c]! - max);
  for (let c = 0; c < C; c++) out[c] = out[c]! / sum;
  return out;
}

export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

function softmaxRow(X: Float32Array, i: number, F: number, W: Float64Array, b: Float64Array, logits: Float64Array, p: Float64Array): void {
  const C = b.length;
  const xo = i * F;
  let max = -Infinity;
  for (let c = 0; c < C; c++) {
    let z = b[c]!;
    for (let f = 0; f < F; f++) z += X[xo + f]! * W[f * C + c]!;
    logits[c] = z;
    if (z > max) max = z;
  }
  let sum = 0;
  for (let c = 0; c < C; c++) sum += p[c] = Math.exp(logits[c]! - max);
  for (let c = 0; c < C; c++) p[c] = p[c]! / sum;
}

/** Adam's moment estimates for one parameter array. */
function adam(size: number) {
  const m = new Float64Array(size);
  const v = new Float64Array(size);
  const beta1 = 0.9;
  const beta2 = 0.999;
  const eps = 1e-8;
  return {
    step(param: Float64Array, grad: Float64Array, lr: number, t: number): void {
      const c1 = 1 - beta1 ** t;
      const c2 = 1 - beta2 ** t;
      for (let k = 0; k < size; k++) {
        const g = grad[k]!;
        m[k] = beta1 * m[k]! + (1 - beta1) * g;
        v[k] = beta2 * v[k]! + (1 - beta2) * g * g;
        if (g === 0 && m[k] === 0) continue;
        param[k] -= (lr * (m[k]! / c1)) / (Math.sqrt(v[k]! / c2) + eps);
      }
    },
  };
}
