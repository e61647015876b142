// The LSTM's next-word distribution adapted to one writer: a mixture of the model with what the
// writer has typed (a cache of their recent words, and which words followed the last one or two),
// over the model's vocabulary plus the writer's own out-of-vocabulary words (the model's `<unk>`
// mass is shared among those by how often the writer used them). The caches count more the more
// evidence they have for the current context (weight * n / (n + confidence)).
import type { Suggestion } from './word-completion.js';
import { PrefixIndex } from './word-completion.js';
import { UNK_ID } from './tokenizer.js';
import { topK } from './metrics.js';
import type { WriterModel } from './writer-model.js';
import type { NeuralCache } from './neural-cache.js';

export interface WriterMix {
  /** Weight of the writer's unigram cache once it holds many words. */
  unigram: number;
  /** Tokens typed at which the unigram cache has half its weight. */
  unigramConfidence: number;
  bigram: number;
  /** Occurrences of the previous word at which the bigram cache has half its weight. */
  bigramConfidence: number;
  trigram: number;
  trigramConfidence: number;
  /** The model's probability of a word the writer used c times is scaled by (1 + c)^boost (then renormalised). */
  boost: number;
  /** Weight of the continuous (neural) cache once it holds many contexts (0 = off). */
  neural: number;
  /** Contexts in the neural cache at which it has half its weight. */
  neuralConfidence: number;
  /** θ: how sharply the neural cache prefers the most similar contexts (exp(θ h·h_i)). */
  neuralTheta: number;
}

/** The writer's continuous cache and the model's feature vector at the cursor (see neural-cache.ts). */
export interface NeuralContext {
  cache: NeuralCache;
  query: ArrayLike<number>;
}

/** The neural cache's part of the mix, tuned on the SOTU held-out addresses (2015-2021); see models/lm/README.md. */
export const NEURAL_CACHE_MIX: Pick<WriterMix, 'neural' | 'neuralConfidence' | 'neuralTheta'> = {
  neural: 0.05,
  neuralConfidence: 200,
  neuralTheta: 1,
};

/** Tuned on the SOTU held-out addresses (2015-2021); see models/lm/README.md. */
export const DEFAULT_WRITER_MIX: WriterMix = {
  unigram: 0.08,
  unigramConfidence: 200,
  bigram: 0.2,
  bigramConfidence: 3,
  trigram: 0.2,
  trigramConfidence: 2,
  boost: 0,
  ...NEURAL_CACHE_MIX,
};

export interface AdaptedSuggestion extends Suggestion {
  /** 'writer' when the word is outside the model's vocabulary, or what the writer typed gave it most of its probability. */
  source: 'model' | 'writer';
}

/**
 * One adapted distribution: `probs[key]` for vocabulary ids and the writer's out-of-vocabulary
 * keys; `probs[UNK_ID]` holds the total for all out-of-vocabulary words (so it sums to 1 over
 * the vocabulary, as the model's does). `fromWriter[key]` is the writer caches' share.
 */
export class AdaptedDistribution {
  probs: Float64Array;
  fromWriter: Float64Array;
  /** Keys in use: the vocabulary, then the writer's out-of-vocabulary slots. */
  private size = 0;
  private writer!: WriterModel;
  private index!: PrefixIndex;

  constructor() {
    this.probs = new Float64Array(0);
    this.fromWriter = new Float64Array(0);
  }

  /**
   * Mixes `lstm` (the model's distribution after `context`) with the writer's caches. `context`
   * is the typed tokens before the cursor, newest last (at least the last two are looked at);
   * `neural` the writer's continuous cache (its keys are `writer`'s) and the vector at the cursor.
   */
  compute(lstm: ArrayLike<number>, writer: WriterModel, context: readonly string[], mix: WriterMix = DEFAULT_WRITER_MIX, neural?: NeuralContext): this {
    this.writer = writer;
    this.index = PrefixIndex.for(writer.tokenizer);
    const V = writer.vocabSize;
    const size = V + writer.oovSlots;
    if (this.probs.length < size) {
      this.probs = new Float64Array(size);
      this.fromWriter = new Float64Array(size);
    }
    this.size = size;
    const probs = this.probs;
    const own = this.fromWriter;
    own.fill(0, 0, size);
    probs.fill(0, V, size);
    const total = writer.totalCount;
    const p1 = context.length > 0 ? writer.keyOf(context[context.length - 1]!) : -1;
    const p2 = context.length > 1 ? writer.keyOf(context[context.length - 2]!) : -1;
    const bi = p1 >= 0 ? writer.followers(p1) : undefined;
    const tri = p1 >= 0 && p2 >= 0 ? writer.followers2(p2, p1) : undefined;
    const biN = bi ? sum(bi) : 0;
    const triN = tri ? sum(tri) : 0;
    const wu = total > 0 ? (mix.unigram * total) / (total + mix.unigramConfidence) : 0;
    const wb = biN > 0 ? (mix.bigram * biN) / (biN + mix.bigramConfidence) : 0;
    const wt = triN > 0 ? (mix.trigram * triN) / (triN + mix.trigramConfidence) : 0;
    const nn = neural && mix.neural > 0 ? neural.cache.usable : 0;
    const wn = nn > 0 ? (mix.neural * nn) / (nn + mix.neuralConfidence) : 0;
    const wm = 1 - wu - wb - wt - wn;

    // The model's part: its distribution, with its <unk> mass shared among the writer's own
    // words by their counts, and the words the writer uses scaled up by (1 + count)^boost.
    const oov = writer.oovCount;
    for (let i = 0; i < V; i++) probs[i] = lstm[i]!;
    for (const key of writer.oovKeys()) probs[key] = oov > 0 ? (lstm[UNK_ID]! * writer.count(key)) / oov : 0;
    if (oov > 0) probs[UNK_ID] = 0;
    let boosted = 1;
    if (mix.boost > 0 && total > 0) {
      const lift = (key: number) => {
        const c = writer.count(key);
        if (c <= 0) return;
        const extra = probs[key]! * (Math.pow(1 + c, mix.boost) - 1);
        probs[key]! += extra;
        boosted += extra;
      };
      for (let i = 1; i < V; i++) lift(i);
      for (const key of writer.oovKeys()) lift(key);
    }
    const scale = wm / boosted;
    for (let i = 0; i < V; i++) probs[i]! *= scale;
    for (const key of writer.oovKeys()) probs[key]! *= scale;
    if (wu > 0) {
      const s = wu / total;
      for (let i = 1; i < V; i++) {
        const c = writer.count(i);
        if (c > 0) own[i] = s * c;
      }
      for (const key of writer.oovKeys()) own[key] = s * writer.count(key);
    }
    addFollowers(own, bi, wb / (biN || 1));
    addFollowers(own, tri, wt / (triN || 1));
    if (wn > 0) neural!.cache.addTo(own, neural!.query, mix.neuralTheta, wn);
    let oovMass = probs[UNK_ID]!;
    for (let i = 1; i < V; i++) probs[i]! += own[i]!;
    for (const key of writer.oovKeys()) {
      probs[key]! += own[key]!;
      oovMass += probs[key]!;
    }
    probs[UNK_ID] = oovMass;
    return this;
  }

  /** Probability of a token id (an `<unk>` id: of any word outside the vocabulary). */
  ofId(id: number): number {
    return this.probs[id]!;
  }

  /** Probability of a typed word (its own share when it is outside the vocabulary). */
  ofWord(word: string): number {
    const id = this.writer.tokenizer.id(word);
    if (id !== UNK_ID) return this.probs[id]!;
    const key = this.writer.keyOf(word);
    return key >= 0 ? this.probs[key]! : 0;
  }

  /** The `k` most probable words starting with `prefix` (lower-cased), never `<unk>` or punctuation. */
  complete(prefix: string, k: number): AdaptedSuggestion[] {
    const p = prefix.toLowerCase();
    const best: number[] = this.index.completeIds(this.probs, p, k);
    for (const key of this.writer.oovKeys()) {
      const word = this.writer.word(key);
      if (!word.startsWith(p) || !/^[\p{L}\p{N}]/u.test(word)) continue;
      const q = this.probs[key]!;
      if (best.length === k && q <= this.probs[best[k - 1]!]!) continue;
      let j = best.length < k ? best.length : k - 1;
      while (j > 0 && this.probs[best[j - 1]!]! < q) {
        best[j] = best[j - 1]!;
        j--;
      }
      best[j] = key;
    }
    return best.map((key) => {
      const q = this.probs[key]!;
      // A word outside the vocabulary is known only from the writer, whatever share of the model's <unk> it takes.
      const fromWriter = key >= this.writer.vocabSize || this.fromWriter[key]! > q / 2;
      return { word: this.writer.word(key), p: q, source: fromWriter ? 'writer' : 'model' };
    });
  }

  /** Keys of the `k` most probable tokens (punctuation included, `<unk>` never). */
  topKeys(k: number): number[] {
    return topK(this.probs.subarray(0, this.size), k);
  }

  /** The word (or punctuation mark) of a key. */
  word(key: number): string {
    return this.writer.word(key);
  }
}

function sum(m: Map<number, number>): number {
  let n = 0;
  for (const c of m.values()) n += c;
  return n;
}

function addFollowers(own: Float64Array, followers: Map<number, number> | undefined, scale: number): void {
  if (!followers) return;
  for (const [key, c] of followers) own[key]! += scale * c;
}
