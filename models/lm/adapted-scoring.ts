// `eval --adapt`: scores a text as a writer would type it, with the model adapted to what the
// writer has typed so far. Each scoring stream (see stream-scoring.ts) has its own writer model,
// first filled with the text before the stream's start, then fed each token only after that
// token has been predicted and scored: a prediction never sees its own token or any later one.
// With a neural cache each stream also has a continuous cache of (feature vector, token) pairs,
// filled the same way: first with the pairs of the text before the stream (vectors of a first
// pass over the text, which at each position depend only on the text before it), then with each
// token's pair once the token was scored.
import { AdaptedDistribution, DEFAULT_WRITER_MIX, type WriterMix } from './adapted-distribution.js';
import { wordKeystrokeSavings } from './keystroke-savings.js';
import { isWordToken, UNK_ID, type Tokenizer } from './tokenizer.js';
import type { PrefixIndex } from './word-completion.js';
import { WriterModel } from './writer-model.js';
import { NeuralCache } from './neural-cache.js';

const MIN_PROB = 1e-12;

export interface AdaptedScoringOptions {
  /** Tokens each writer model keeps (the server's per-writer bound). */
  maxTokens: number;
  mix?: WriterMix;
  /** A continuous cache per stream (used when mix.neural > 0). */
  neuralCache?: {
    /** Pairs it keeps (at most maxTokens: its keys are the writer model's). */
    window: number;
    dim: number;
    /** The feature vector the model had at an earlier position (undefined where there is none). */
    vectorAt: (position: number) => ArrayLike<number> | undefined;
  };
}

export class AdaptedScoring {
  private readonly writers = new Map<number, { writer: WriterModel; cache: NeuralCache | undefined }>();
  private readonly dist = new AdaptedDistribution();
  private readonly savings;
  private n = 0;
  private nll = 0;
  private hit1 = 0;
  private hit3 = 0;
  private words = 0;
  private wordHit1 = 0;
  private wordHit3 = 0;
  /** Top-3 hits that came from the writer (the word was not among the unadapted top 3). */
  private gained = 0;
  private lost = 0;

  constructor(
    private readonly tokenizer: Tokenizer,
    index: PrefixIndex,
    text: string,
    /** The text's tokens (tokenizer.split), aligned with the scored ids. */
    private readonly tokens: readonly string[],
    private readonly opts: AdaptedScoringOptions,
  ) {
    this.savings = wordKeystrokeSavings(index, text);
    const nc = opts.neuralCache;
    if (nc && nc.window > opts.maxTokens) throw new RangeError(`the neural cache (${nc.window}) cannot hold more tokens than the writer model (${opts.maxTokens})`);
  }

  /**
   * Scores position `pos` of stream `stream` from the model's distribution there; returns
   * whether the target was among the adapted top 3. `unadaptedHit3` counts gains and losses;
   * `features` is the model's feature vector there (for the neural cache).
   */
  visit(pos: number, probs: Float32Array, stream: { index: number; start: number }, unadaptedHit3: boolean, features?: Float32Array): boolean {
    const { writer, cache } = this.writerFor(stream, pos);
    const target = this.tokens[pos]!;
    const context = this.tokens.slice(Math.max(0, pos - 2), pos);
    const d = this.dist.compute(probs, writer, context, this.opts.mix ?? DEFAULT_WRITER_MIX, cache && features ? { cache, query: features } : undefined);
    const id = this.tokenizer.id(target);
    this.n++;
    this.nll -= Math.log(Math.max(d.ofId(id), MIN_PROB));
    const top = d.topKeys(3).map((k) => d.word(k));
    const hit3 = top.includes(target);
    if (top[0] === target) this.hit1++;
    if (hit3) this.hit3++;
    if (hit3 && !unadaptedHit3) this.gained++;
    if (!hit3 && unadaptedHit3) this.lost++;
    // Next-word accuracy over the same targets as the unadapted model's (vocabulary words).
    if (id !== UNK_ID && isWordToken(target)) {
      this.words++;
      const best = d.complete('', 3).map((s) => s.word);
      if (best[0] === target) this.wordHit1++;
      if (best.includes(target)) this.wordHit3++;
    }
    this.savings.visitWith(pos, (prefix, k) => d.complete(prefix, k).map((s) => s.word));
    // Only now, after its prediction was scored, does the writer model learn the token.
    writer.push(target);
    writer.trimTo(this.opts.maxTokens);
    cache?.push(features, writer.keyOf(target));
    return hit3;
  }

  report() {
    const ce = this.nll / this.n;
    const savings = this.savings.result();
    return {
      tokens: this.n,
      crossEntropy: ce,
      perplexity: Math.exp(ce),
      top1: this.hit1 / this.n,
      top3: this.hit3 / this.n,
      keystrokeSavings: savings.savings,
      keystrokeSavingsWithoutAutoSpace: savings.savingsWithoutAutoSpace,
      nextWord: { words: this.words, top1: this.wordHit1 / this.words, top3: this.wordHit3 / this.words },
      top3GainedLost: { gained: this.gained / this.n, lost: this.lost / this.n },
    };
  }

  /** The writer model (and neural cache) of a stream: on first use, they have read the text before the stream's first prediction. */
  private writerFor(stream: { index: number; start: number }, pos: number): { writer: WriterModel; cache: NeuralCache | undefined } {
    let w = this.writers.get(stream.index);
    if (!w) {
      const writer = new WriterModel(this.tokenizer);
      for (let i = Math.max(0, pos - this.opts.maxTokens); i < pos; i++) writer.push(this.tokens[i]!);
      writer.trimTo(this.opts.maxTokens);
      const nc = this.opts.neuralCache;
      let cache: NeuralCache | undefined;
      if (nc && (this.opts.mix ?? DEFAULT_WRITER_MIX).neural > 0) {
        cache = new NeuralCache(nc.dim, nc.window);
        for (let i = Math.max(0, pos - nc.window); i < pos; i++) cache.push(nc.vectorAt(i), writer.keyOf(this.tokens[i]!));
      }
      w = { writer, cache };
      this.writers.set(stream.index, w);
    }
    return w;
  }
}
