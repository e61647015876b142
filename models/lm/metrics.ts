// Next-token metrics shared by the LSTM and the n-gram baseline: cross-entropy in nats per
// token, and top-1 / top-3 accuracy where `<unk>` is never a suggestion and an `<unk>` target
// always counts as a miss (nobody can be offered a word the model does not know).
import { UNK_ID } from './tokenizer.js';

const MIN_PROB = 1e-12;

/** Indices of the `k` largest entries of `probs`, largest first, skipping `exclude`. */
export function topK(probs: ArrayLike<number>, k: number, exclude: (id: number) => boolean = (id) => id === UNK_ID): number[] {
  const ids: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i]!;
    if (ids.length === k && p <= vals[k - 1]!) continue;
    if (exclude(i)) continue;
    let j = ids.length < k ? ids.length : k - 1;
    while (j > 0 && vals[j - 1]! < p) {
      if (j < k) {
        ids[j] = ids[j - 1]!;
        vals[j] = vals[j - 1]!;
      }
      j--;
    }
    ids[j] = i;
    vals[j] = p;
  }
  return ids;
}

export interface NextTokenReport {
  tokens: number;
  crossEntropy: number;
  perplexity: number;
  top1: number;
  top3: number;
}

export class NextTokenMetrics {
  private n = 0;
  private nll = 0;
  private hit1 = 0;
  private hit3 = 0;

  /** Scores one prediction; returns whether the target was among the top 3. */
  add(probs: ArrayLike<number>, target: number): boolean {
    this.n++;
    this.nll -= Math.log(Math.max(probs[target] ?? 0, MIN_PROB));
    if (target === UNK_ID) return false;
    const best = topK(probs, 3);
    if (best[0] === target) this.hit1++;
    const hit3 = best.includes(target);
    if (hit3) this.hit3++;
    return hit3;
  }

  report(): NextTokenReport {
    const ce = this.n > 0 ? this.nll / this.n : NaN;
    return { tokens: this.n, crossEntropy: ce, perplexity: Math.exp(ce), top1: this.hit1 / this.n, top3: this.hit3 / this.n };
  }
}

/**
 * Next-word accuracy as a suggestion bar shows it: for targets that are words, is the target
 * among the `k` most probable words (punctuation and `<unk>` excluded from the candidates)?
 */
export class NextWordMetrics {
  private n = 0;
  private hit1 = 0;
  private hit3 = 0;

  constructor(private readonly suggest: (probs: ArrayLike<number>, k: number) => number[]) {}

  /** Scores one prediction of a word target; returns whether it was among the top 3 (undefined: not a word). */
  add(probs: ArrayLike<number>, target: number, targetIsWord: boolean): boolean | undefined {
    if (!targetIsWord) return undefined;
    this.n++;
    const best = this.suggest(probs, 3);
    if (best[0] === target) this.hit1++;
    const hit3 = best.includes(target);
    if (hit3) this.hit3++;
    return hit3;
  }

  report(): { words: number; top1: number; top3: number } {
    return { words: this.n, top1: this.hit1 / this.n, top3: this.hit3 / this.n };
  }
}
