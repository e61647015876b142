// Scoring activity predictions: confusion matrix, per-class precision/recall/F1, accuracy and
// macro-F1. Shared by the eval CLI, training validation and the replay simulator.
//
// Truth 'stairs' (a recording that does not say which way) counts as right when the prediction
// is either stairs class. Such windows get their own confusion row ('stairs', after the class
// rows; present only when some truth is 'stairs') and their own perClass entry, whose precision
// is that of "predicted upstairs or downstairs" against any stairs truth.

export const STAIRS = 'stairs';
const STAIRS_CLASSES = ['upstairs', 'downstairs'];

export interface ClassScore {
  precision: number;
  recall: number;
  f1: number;
  /** Windows whose truth is this class. */
  support: number;
}

export interface HarMetrics {
  n: number;
  accuracy: number;
  /** Mean F1 over the truth groups present (the classes with support, and 'stairs' if any). */
  macroF1: number;
  classes: string[];
  perClass: Record<string, ClassScore>;
  /** confusion[truthRow][predictedClass]; rows are `classes`, plus 'stairs' when present. */
  confusion: number[][];
  /** Row names of `confusion` (only given when they differ from `classes`). */
  confusionRows?: string[];
}

export class HarScorer {
  private readonly counts: number[][];
  private readonly stairsRow: number[];
  private readonly index: Map<string, number>;
  private readonly stairsIdx: number[];

  constructor(readonly classes: readonly string[]) {
    this.index = new Map(classes.map((c, i) => [c, i]));
    this.counts = classes.map(() => classes.map(() => 0));
    this.stairsRow = classes.map(() => 0);
    this.stairsIdx = STAIRS_CLASSES.map((c) => this.index.get(c)).filter((i): i is number => i !== undefined);
  }

  /**
   * Adds one window: its truth (a class name or 'stairs'; anything else is ignored and returns
   * false) and the predicted class (name or index).
   */
  add(truth: string | undefined, predicted: string | number): boolean {
    const p = typeof predicted === 'number' ? predicted : this.index.get(predicted);
    if (p === undefined || p < 0 || p >= this.classes.length) throw new RangeError(`unknown predicted class ${predicted}`);
    if (truth === STAIRS) {
      this.stairsRow[p]!++;
      return true;
    }
    const t = truth === undefined ? undefined : this.index.get(truth);
    if (t === undefined) return false;
    this.counts[t]![p]!++;
    return true;
  }

  /** Whether a prediction is right for this truth ('stairs' accepts either stairs class). */
  isCorrect(truth: string, predicted: string): boolean {
    return truth === STAIRS ? STAIRS_CLASSES.includes(predicted) : truth === predicted;
  }

  get count(): number {
    return sum(this.counts.map(sum)) + sum(this.stairsRow);
  }

  result(): HarMetrics {
    const k = this.classes.length;
    const stairsN = sum(this.stairsRow);
    const stairsHits = sum(this.stairsIdx.map((i) => this.stairsRow[i]!));
    const n = this.count;
    let correct = stairsHits;
    for (let i = 0; i < k; i++) correct += this.counts[i]![i]!;

    const perClass: Record<string, ClassScore> = {};
    const f1s: number[] = [];
    for (let c = 0; c < k; c++) {
      const support = sum(this.counts[c]!);
      // Stairs-truth windows predicted as this stairs class are true positives for it.
      const tp = this.counts[c]![c]! + (this.stairsIdx.includes(c) ? this.stairsRow[c]! : 0);
      const predicted = sum(this.counts.map((row) => row[c]!)) + this.stairsRow[c]!;
      const score = prf(tp, predicted, this.counts[c]![c]!, support);
      perClass[this.classes[c]!] = score;
      if (support > 0) f1s.push(score.f1);
    }
    if (stairsN > 0) {
      const predictedStairs = sum(this.stairsIdx.map((i) => sum(this.counts.map((row) => row[i]!)) + this.stairsRow[i]!));
      const stairsTruthPredictedStairs = stairsHits + sum(this.stairsIdx.flatMap((t) => this.stairsIdx.map((p) => this.counts[t]![p]!)));
      const score = prf(stairsTruthPredictedStairs, predictedStairs, stairsHits, stairsN);
      perClass[STAIRS] = score;
      f1s.push(score.f1);
    }
    const confusion = this.counts.map((r) => [...r]);
    const out: HarMetrics = {
      n,
      accuracy: n ? correct / n : 0,
      macroF1: f1s.length ? sum(f1s) / f1s.length : 0,
      classes: [...this.classes],
      perClass,
      confusion,
    };
    if (stairsN > 0) {
      confusion.push([...this.stairsRow]);
      out.confusionRows = [...this.classes, STAIRS];
    }
    return out;
  }
}

/** Scores whole arrays at once: truths (names) against predicted class indices. */
export function scoreWindows(classes: readonly string[], truths: readonly (string | undefined)[], predicted: readonly number[]): HarMetrics {
  if (truths.length !== predicted.length) throw new RangeError(`${truths.length} truths but ${predicted.length} predictions`);
  const s = new HarScorer(classes);
  for (let i = 0; i < truths.length; i++) s.add(truths[i], predicted[i]!);
  return s.result();
}

/** Index of the largest value in each row of a row-major [n, k] matrix. */
export function argmaxRows(probs: ArrayLike<number>, k: number): number[] {
  const n = Math.floor(probs.length / k);
  const out = new Array<number>(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[r * k + c]! > probs[r * k + best]!) best = c;
    out[r] = best;
  }
  return out;
}

function prf(truePositives: number, predicted: number, recalled: number, support: number): ClassScore {
  const precision = predicted ? truePositives / predicted : 0;
  const recall = support ? recalled / support : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, support };
}

function sum(a: readonly number[]): number {
  let s = 0;
  for (const v of a) s += v;
  return s;
}
