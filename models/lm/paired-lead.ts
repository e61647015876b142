// How far one model leads another on the same tokens, with an uncertainty that respects the
// text's order: neighbouring tokens are not independent (a passage that suits the n-gram suits
// it for many tokens), so the 95% interval comes from block means over contiguous positions
// (batch means) instead of treating every token as an independent trial.

export interface PairedLeadReport {
  /** Scored positions (both models judged on each). */
  n: number;
  /** Mean of (model hit - baseline hit): the lead in accuracy, -1..1. */
  lead: number;
  /** 95% interval of the lead from `blocks` contiguous blocks (normal approximation). */
  ci95: [number, number];
  blocks: number;
}

/** Blocks of about this many scored positions; long enough to hold a passage's correlation. */
export const DEFAULT_BLOCK = 500;

export class PairedLead {
  private readonly diffByPosition = new Map<number, number>();

  /** Both models' verdict (hit or miss) on the token at `position` of the text. */
  add(position: number, modelHit: boolean, baselineHit: boolean): void {
    this.diffByPosition.set(position, Number(modelHit) - Number(baselineHit));
  }

  report(blockSize = DEFAULT_BLOCK): PairedLeadReport {
    const positions = [...this.diffByPosition.keys()].sort((a, b) => a - b);
    const n = positions.length;
    const diffs = positions.map((p) => this.diffByPosition.get(p)!);
    const lead = n > 0 ? diffs.reduce((s, d) => s + d, 0) / n : NaN;
    const blocks = Math.floor(n / blockSize);
    if (blocks < 2) return { n, lead, ci95: [NaN, NaN], blocks };
    const means: number[] = [];
    for (let b = 0; b < blocks; b++) {
      // The last block takes the remainder, so every position counts once.
      const end = b === blocks - 1 ? n : (b + 1) * blockSize;
      let s = 0;
      for (let i = b * blockSize; i < end; i++) s += diffs[i]!;
      means.push(s / (end - b * blockSize));
    }
    const m = means.reduce((s, x) => s + x, 0) / blocks;
    const variance = means.reduce((s, x) => s + (x - m) ** 2, 0) / (blocks - 1);
    const half = 1.96 * Math.sqrt(variance / blocks);
    return { n, lead, ci95: [lead - half, lead + half], blocks };
  }
}
