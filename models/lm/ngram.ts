// The baseline: an interpolated Kneser-Ney n-gram model over the same token ids as the LSTM.
// The highest order uses raw counts, lower orders continuation counts (how many distinct tokens
// precede an n-gram), each order discounts by D = n1 / (n1 + 2 n2), and the unigram level is
// interpolated with the uniform distribution, so every token has a non-zero probability and
// each distribution sums to one (a proper perplexity).

interface ContextStats {
  /** Sum of the counts of the tokens that followed this context. */
  total: number;
  next: Map<number, number>;
}

export class KneserNeyModel {
  /** tables[k]: contexts of k tokens (k = 0..order-1) -> following-token counts. */
  private readonly tables: Map<number, ContextStats>[];
  private readonly discounts: number[];
  private readonly unigram: Float64Array;

  private constructor(
    readonly order: number,
    readonly vocabSize: number,
    tables: Map<number, ContextStats>[],
  ) {
    this.tables = tables;
    this.discounts = tables.map(discountOf);
    this.unigram = this.unigramDistribution();
  }

  /** Counts the n-grams of `ids` (token ids below `vocabSize`). */
  static train(ids: ArrayLike<number>, vocabSize: number, order: number): KneserNeyModel {
    if (!Number.isInteger(order) || order < 1) throw new Error(`n-gram order must be a positive integer (got ${order})`);
    if (vocabSize ** order > Number.MAX_SAFE_INTEGER) throw new Error(`vocabulary ${vocabSize} too large for a ${order}-gram model`);
    const tables: Map<number, ContextStats>[] = Array.from({ length: order }, () => new Map());
    // Highest order: raw counts of every (order-1)-token context.
    const top = tables[order - 1]!;
    for (let i = order - 1; i < ids.length; i++) {
      let ctx = 0;
      for (let j = i - order + 1; j < i; j++) ctx = ctx * vocabSize + ids[j]!;
      bump(top, ctx, ids[i]!, 1);
    }
    // Lower orders: each distinct n-gram of order k+1 adds one to the continuation count of its suffix.
    for (let k = order - 2; k >= 0; k--) {
      const modulus = vocabSize ** k;
      for (const [ctx, stats] of tables[k + 1]!) {
        const suffix = k === 0 ? 0 : ctx % modulus;
        for (const w of stats.next.keys()) bump(tables[k]!, suffix, w, 1);
      }
    }
    return new KneserNeyModel(order, vocabSize, tables);
  }

  /** P(next token | history) for every token; history is the preceding ids, most recent last. */
  distribution(history: ArrayLike<number>): Float64Array {
    const p = Float64Array.from(this.unigram);
    const V = this.vocabSize;
    for (let k = 1; k < this.order && k <= history.length; k++) {
      let ctx = 0;
      for (let j = history.length - k; j < history.length; j++) ctx = ctx * V + history[j]!;
      const stats = this.tables[k]!.get(ctx);
      if (!stats) break; // a longer context containing this one is unseen too
      const d = this.discounts[k]!;
      const lambda = (d * stats.next.size) / stats.total;
      for (let w = 0; w < V; w++) p[w]! *= lambda;
      for (const [w, c] of stats.next) p[w]! += Math.max(c - d, 0) / stats.total;
    }
    return p;
  }

  private unigramDistribution(): Float64Array {
    const V = this.vocabSize;
    const stats = this.tables[0]!.get(0);
    const p = new Float64Array(V).fill(1 / V);
    if (!stats) return p;
    const d = this.discounts[0]!;
    const lambda = (d * stats.next.size) / stats.total;
    for (let w = 0; w < V; w++) p[w] = lambda / V;
    for (const [w, c] of stats.next) p[w]! += Math.max(c - d, 0) / stats.total;
    return p;
  }
}

function bump(table: Map<number, ContextStats>, ctx: number, w: number, n: number): void {
  let s = table.get(ctx);
  if (!s) table.set(ctx, (s = { total: 0, next: new Map() }));
  s.total += n;
  s.next.set(w, (s.next.get(w) ?? 0) + n);
}

/** D = n1 / (n1 + 2 n2) from the counts-of-counts of one order (0.75 when undefined). */
function discountOf(table: Map<number, ContextStats>): number {
  let n1 = 0;
  let n2 = 0;
  for (const s of table.values()) {
    for (const c of s.next.values()) {
      if (c === 1) n1++;
      else if (c === 2) n2++;
    }
  }
  const d = n1 / (n1 + 2 * n2);
  return Number.isFinite(d) && d > 0 && d < 1 ? d : 0.75;
}
