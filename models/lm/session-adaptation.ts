// A text session's link to its writer model: keeps the writer model in step with the tokens the
// session has committed (the text before the cursor, minus the word being typed), and adapts
// the model's suggestions. Tokens that disappear from the text (backspace, a moved cursor, a
// new document) are uncounted again, so the writer model only ever holds text that is before
// the cursor now, on top of the writer's history from earlier sessions. The neural cache (when
// on) holds (feature vector, token) pairs of this session's committed tokens only: histories are
// stored as tokens, and recomputing their vectors would cost an LSTM step per token at start.
import { AdaptedDistribution, DEFAULT_WRITER_MIX, type AdaptedSuggestion, type WriterMix } from './adapted-distribution.js';
import type { Tokenizer } from './tokenizer.js';
import { WriterModel } from './writer-model.js';
import { DEFAULT_NEURAL_CACHE_TOKENS, NeuralCache } from './neural-cache.js';

/** The feature vector the model had before committed token `i` (undefined when no longer known). */
export type VectorBefore = (i: number) => ArrayLike<number> | undefined;

export class SessionAdaptation {
  readonly writer: WriterModel;
  /** Session tokens counted in the writer model, on top of its history. */
  private counted: string[] = [];
  /** Session tokens before this index are not counted (what was forgotten stays forgotten). */
  private floor = 0;
  /** Bumped whenever the writer model or the neural cache changes. */
  private version = 0;
  /**
   * What the adapted distribution was last computed from, and its next words: keystrokes inside
   * a word change only the prefix, so they reuse it instead of mixing the whole vocabulary again.
   */
  private computed: { lstm: ArrayLike<number>; query: ArrayLike<number> | undefined; context: string; version: number; k: number; next: AdaptedSuggestion[] } | undefined;
  private readonly dist = new AdaptedDistribution();
  /** The continuous cache, when the mix uses one and the model's feature size is known. */
  readonly neuralCache: NeuralCache | undefined;

  /**
   * `history`: the writer's earlier tokens, oldest first (at most `maxTokens` are kept);
   * `featureSize`: floats per feature vector of the model (LstmStepper.featureSize), for the neural cache.
   */
  constructor(
    tokenizer: Tokenizer,
    history: readonly string[] = [],
    readonly maxTokens: number,
    private readonly mix: WriterMix = DEFAULT_WRITER_MIX,
    featureSize?: number,
  ) {
    this.writer = new WriterModel(tokenizer);
    for (const t of history.slice(-maxTokens)) this.writer.push(t);
    // Its keys are the writer model's, so it may not hold more tokens than the writer model does.
    if (mix.neural > 0 && featureSize) this.neuralCache = new NeuralCache(featureSize, Math.min(DEFAULT_NEURAL_CACHE_TOKENS, maxTokens));
  }

  /** The session's tokens that count towards the writer (what its history gains when the session ends). */
  get sessionTokens(): readonly string[] {
    return this.counted;
  }

  /** Brings the writer model (and neural cache) in step with the session's committed tokens. */
  sync(tokens: readonly string[], vectorBefore: VectorBefore = () => undefined): void {
    this.floor = Math.min(this.floor, tokens.length);
    const wanted = tokens.length - this.floor;
    let common = 0;
    const n = Math.min(this.counted.length, wanted);
    while (common < n && this.counted[common] === tokens[this.floor + common]) common++;
    if (this.counted.length > common || tokens.length > this.floor + common) this.version++;
    while (this.counted.length > common) {
      this.counted.pop();
      this.writer.pop();
      this.neuralCache?.pop();
    }
    for (let i = this.floor + common; i < tokens.length; i++) {
      this.counted.push(tokens[i]!);
      this.writer.push(tokens[i]!);
      this.neuralCache?.push(vectorBefore(i), this.writer.keyOf(tokens[i]!));
    }
  }

  /** Forgets the history and this session's text so far (text typed from now on is learned). */
  forget(sessionLength: number): void {
    this.writer.clear();
    this.neuralCache?.clear();
    this.counted = [];
    this.floor = sessionLength;
    this.version++;
  }

  /**
   * Adapted suggestions: completions of `prefix` and the next words, from the model's
   * distribution `lstm` after `context` (the committed tokens, newest last); `query` is the
   * model's feature vector there (for the neural cache). `lstm` and `query` are not to be
   * changed after the call: a call with the same arrays, context and writer reuses the mix.
   */
  suggest(lstm: ArrayLike<number>, context: readonly string[], prefix: string, k: number, query?: ArrayLike<number>): { completions: AdaptedSuggestion[]; next: AdaptedSuggestion[] } {
    const key = context.slice(-2).join('\u0000');
    let c = this.computed;
    if (!c || c.lstm !== lstm || c.query !== query || c.context !== key || c.version !== this.version || c.k !== k) {
      const neural = this.neuralCache && query ? { cache: this.neuralCache, query } : undefined;
      this.dist.compute(lstm, this.writer, context.slice(-2), this.mix, neural);
      c = this.computed = { lstm, query, context: key, version: this.version, k, next: this.dist.complete('', k) };
    }
    const next = c.next;
    return { completions: prefix === '' ? next : this.dist.complete(prefix, k), next };
  }
}
