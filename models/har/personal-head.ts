// A person's own classifier head: softmax regression on the shared network's pooled features
// (the input of its final Dense layer), started from the shared head's weights and pulled back
// towards them, fitted on a few labelled calibration windows. Plain JavaScript on Float32Arrays:
// deterministic (no random init, full-batch steps in a fixed order), no tensors to leak, and
// cheap enough (~100 windows x ~100 features x ~7 classes) to fit in well under a second in small
// slices on the server's main thread while the shared trunk keeps serving in the inference worker.
import { createHash } from 'node:crypto';
import type { CalibrationValidation } from '../../protocol/calibration-messages.js';

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
  /** The guard's held-out comparison with the shared head, and the mixing weight it chose (absent: not validated). */
  validation?: HeadValidation;
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
  /** Choose how far to move from the shared head on held-out calibration windows (default true). */
  validate?: boolean;
  /** Time blocks per label for that validation (default 3). */
  folds?: number;
  /**
   * How the mixing weight is chosen: 'accuracy' (default) moves from the shared head only as far as
   * that raises held-out accuracy (log-loss breaks ties); 'logloss' takes the lowest held-out
   * log-loss that keeps the shared head's accuracy (rejected, see personalization.md; kept to compare).
   */
  select?: 'accuracy' | 'logloss';
  /** Called between slices of steps; awaiting it lets other work run (the server yields to its event loop). */
  yieldEvery?: { steps: number; yield: () => Promise<void> };
}

export const DEFAULT_FIT: Required<Omit<FitOptions, 'yieldEvery'>> = { steps: 300, learningRate: 0.01, l2ToShared: 1e-3, minWindowsPerLabel: 3, validate: true, folds: 3, select: 'accuracy' };

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
 * How the personal head did against the shared one on calibration windows it was not fitted on
 * (the wire type: the calibration status carries it).
 */
export type HeadValidation = CalibrationValidation;

/** Mixing weights tried on the held-out windows. */
const MIXING_GRID = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

/**
 * Fits a personal head on calibration windows, starting from (and regularised towards) the
 * shared head. Classes without calibration windows keep their shared weights. Deterministic.
 *
 * Guard (opts.validate, default on): the person's calibration data decide how far the kept head
 * may move from the shared one. Cross-validation by time blocks (validateMixing) picks the mixing
 * weight w in [0, 1] with the best held-out accuracy (lower log-loss breaking ties), and w > 0 only
 * when that accuracy is above the shared head's; the head refitted on all windows is then
 * shared + w·(personal − shared).
 * w = 0 means the shared head is kept (the returned head then has the shared weights exactly).
 * Windows must come in time order within each label (as devices and the eval collect them).
 */
export async function fitPersonalHead(shared: HeadWeights, windows: readonly CalibrationWindow[], opts: FitOptions = {}): Promise<PersonalHead> {
  const o = { ...DEFAULT_FIT, ...opts };
  const counts = checkCalibration(shared, windows, o.minWindowsPerLabel);
  const validation = o.validate ? await validateMixing(shared, windows, o, opts.yieldEvery) : undefined;
  const mixing = validation ? validation.mixing : 1;
  const fitted = mixing === 0 ? undefined : await fitWeights(shared, windows, o, opts.yieldEvery);
  const C = shared.classes.length;
  const kernel = fitted ? mix(shared.kernel, fitted.kernel, mixing) : Float32Array.from(shared.kernel);
  const bias = fitted ? mix(shared.bias, fitted.bias, mixing) : Float32Array.from(shared.bias);
  const head: PersonalHead = {
    classes: [...shared.classes],
    featureSize: shared.featureSize,
    kernel,
    bias,
    sharedFingerprint: headFingerprint(shared),
    calibrated: fitted ? shared.classes.filter((_, c) => fitted.trainable[c]) : [],
    windows: Object.fromEntries(counts),
    trainAccuracy: 0,
    fittedAt: new Date().toISOString(),
    ...(validation ? { validation } : {}),
  };
  let right = 0;
  const probs = new Float32Array(C);
  for (const w of windows) if (truthTargets(shared.classes, w.truth)!.includes(argmax(applyHead(head, w.features, probs)))) right++;
  head.trainAccuracy = right / windows.length;
  return head;
}

/** a + w·(b − a), element-wise. */
function mix(a: Float32Array, b: Float32Array, w: number): Float32Array {
  return w === 1 ? Float32Array.from(b) : Float32Array.from(a, (v, k) => v + w * (b[k]! - v));
}

/**
 * Time-blocked cross-validation of the personal head against the shared one. Each label's
 * windows (in time order) are cut into `folds` contiguous blocks; for each fold, the blocks of
 * that index are held out, and when a label has at least 3 windows per block its windows next to
 * the held-out block are dropped from fitting too (they share samples with it: windows overlap by
 * half). Held-out logits of the shared head (z0) and the fold's head (z1) give, for every mixing
 * weight w, the logits z0 + w·(z1 − z0) (the head is linear in its weights), scored label-balanced.
 */
export async function validateMixing(
  shared: HeadWeights,
  windows: readonly CalibrationWindow[],
  o: Required<Omit<FitOptions, 'yieldEvery'>>,
  slice?: FitOptions['yieldEvery'],
): Promise<HeadValidation> {
  const K = o.folds;
  const C = shared.classes.length;
  const byLabel = new Map<string, number[]>();
  windows.forEach((w, i) => byLabel.set(w.truth, [...(byLabel.get(w.truth) ?? []), i]));
  // fold[i]: the block window i belongs to; purged[k]: windows left out of fold k's fit.
  const fold = new Int32Array(windows.length);
  const purged = Array.from({ length: K }, () => new Set<number>());
  for (const idx of byLabel.values()) {
    const m = idx.length;
    const blockOf = (j: number) => Math.min(K - 1, Math.floor((j * K) / m));
    idx.forEach((i, j) => (fold[i] = blockOf(j)));
    if (m < 3 * K) continue;
    for (let j = 0; j < m; j++) {
      if (j > 0 && blockOf(j - 1) !== blockOf(j)) purged[blockOf(j - 1)]!.add(idx[j]!);
      if (j + 1 < m && blockOf(j + 1) !== blockOf(j)) purged[blockOf(j + 1)]!.add(idx[j]!);
    }
  }
  const z0 = new Float64Array(windows.length * C);
  const z1 = new Float64Array(windows.length * C);
  const held = new Uint8Array(windows.length);
  for (let k = 0; k < K; k++) {
    const train = windows.filter((_, i) => fold[i] !== k && !purged[k]!.has(i));
    const test = windows.map((_, i) => i).filter((i) => fold[i] === k);
    // A fold that leaves fewer than two labels to fit teaches nothing: its windows are not scored.
    if (new Set(train.map((w) => w.truth)).size < 2 || test.length === 0) continue;
    const fitted = await fitWeights(shared, train, o, slice);
    for (const i of test) {
      held[i] = 1;
      logitsInto(shared.kernel, shared.bias, windows[i]!.features, shared.featureSize, z0.subarray(i * C, (i + 1) * C));
      logitsInto(fitted.kernel, fitted.bias, windows[i]!.features, shared.featureSize, z1.subarray(i * C, (i + 1) * C));
    }
  }
  const targets = windows.map((w) => truthTargets(shared.classes, w.truth)!);
  const z = new Float64Array(C);
  const score = (w: number) => {
    const perLabel = new Map<string, { n: number; right: number; loss: number }>();
    for (let i = 0; i < windows.length; i++) {
      if (!held[i]) continue;
      for (let c = 0; c < C; c++) z[c] = z0[i * C + c]! + w * (z1[i * C + c]! - z0[i * C + c]!);
      let max = -Infinity;
      for (let c = 0; c < C; c++) if (z[c]! > max) max = z[c]!;
      let sum = 0;
      for (let c = 0; c < C; c++) sum += Math.exp(z[c]! - max);
      let inTarget = 0;
      for (const c of targets[i]!) inTarget += Math.exp(z[c]! - max);
      const s = perLabel.get(windows[i]!.truth) ?? { n: 0, right: 0, loss: 0 };
      s.n++;
      s.loss += -Math.log(Math.max(inTarget / sum, 1e-12));
      if (targets[i]!.includes(argmax(z))) s.right++;
      perLabel.set(windows[i]!.truth, s);
    }
    const labels = [...perLabel.values()];
    if (labels.length === 0) return { accuracy: 0, logLoss: Infinity };
    return { accuracy: labels.reduce((a, s) => a + s.right / s.n, 0) / labels.length, logLoss: labels.reduce((a, s) => a + s.loss / s.n, 0) / labels.length };
  };
  const scored = held.reduce((a, h) => a + h, 0);
  const sharedScore = score(0);
  let mixing = 0;
  let best = sharedScore;
  if (scored > 0) {
    for (const w of MIXING_GRID.slice(1)) {
      const s = score(w);
      // Move away from the shared head only for held-out windows it gets wrong: more confidence
      // on windows it already gets right (a lower log-loss alone) is what fails on later sessions.
      const better =
        o.select === 'logloss'
          ? s.accuracy >= sharedScore.accuracy && s.logLoss < best.logLoss
          : s.accuracy > best.accuracy + 1e-9 || (mixing > 0 && s.accuracy >= best.accuracy - 1e-9 && s.logLoss < best.logLoss);
      if (better) {
        best = s;
        mixing = w;
      }
    }
  }
  const round = (s: { accuracy: number; logLoss: number }) => ({ accuracy: Math.round(s.accuracy * 1e4) / 1e4, logLoss: Math.round(s.logLoss * 1e4) / 1e4 });
  return {
    windows: scored,
    folds: K,
    shared: round(sharedScore),
    personal: round(scored > 0 ? score(1) : sharedScore),
    mixed: round(best),
    mixing,
    kept: mixing === 0 ? 'shared' : mixing === 1 ? 'personal' : 'mixed',
  };
}

function logitsInto(kernel: Float32Array, bias: Float32Array, x: ArrayLike<number>, F: number, out: Float64Array): void {
  const C = bias.length;
  for (let c = 0; c < C; c++) {
    let v = bias[c]!;
    for (let f = 0; f < F; f++) v += x[f]! * kernel[f * C + c]!;
    out[c] = v;
  }
}

/** The gradient fit itself (no checks): full-batch Adam from the shared weights, pulled back to them. */
async function fitWeights(
  shared: HeadWeights,
  windows: readonly CalibrationWindow[],
  o: Required<Omit<FitOptions, 'yieldEvery'>>,
  slice?: FitOptions['yieldEvery'],
): Promise<{ kernel: Float32Array; bias: Float32Array; trainable: Uint8Array }> {
  const F = shared.featureSize;
  const C = shared.classes.length;
  const n = windows.length;
  const counts = new Map<string, number>();
  for (const w of windows) counts.set(w.truth, (counts.get(w.truth) ?? 0) + 1);
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
  // Untrained classes are copied bit for bit (not through the scale), so they equal the shared head exactly.
  const kernel = Float32Array.from(W, (v, k) => (trainable[k % C] ? v / scale : shared.kernel[k]!));
  return { kernel, bias: Float32Array.from(b), trainable };
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
