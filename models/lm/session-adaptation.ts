// A text session's link to its writer model: keeps the writer model in step with the tokens the
// session has committed (the text before the cursor, minus the word being typed), and adapts
// the model's suggestions. Tokens that disappear from the text (backspace, a moved cursor, a
// new document) are uncounted again, so the writer model only ever holds text that is before
// the cursor now, on top of the writer's history from earlier sessions.
import { AdaptedDistribution, DEFAULT_WRITER_MIX, type AdaptedSuggestion, type WriterMix } from './adapted-distribution.js';
import type { Tokenizer } from './tokenizer.js';
import { WriterModel } from './writer-model.js';

export class SessionAdaptation {
  readonly writer: WriterModel;
  /** Session tokens counted in the writer model, on top of its history. */
  private counted: string[] = [];
  /** Session tokens before this index are not counted (what was forgotten stays forgotten). */
  private floor = 0;
  private readonly dist = new AdaptedDistribution();

  /** `history`: the writer's earlier tokens, oldest first (at most `maxTokens` are kept). */
  constructor(
    tokenizer: Tokenizer,
    history: readonly string[] = [],
    readonly maxTokens: number,
    private readonly mix: WriterMix = DEFAULT_WRITER_MIX,
  ) {
    this.writer = new WriterModel(tokenizer);
    for (const t of history.slice(-maxTokens)) this.writer.push(t);
  }

  /** The session's tokens that count towards the writer (what its history gains when the session ends). */
  get sessionTokens(): readonly string[] {
    return this.counted;
  }

  /** Brings the writer model in step with the session's committed tokens. */
  sync(tokens: readonly string[]): void {
    this.floor = Math.min(this.floor, tokens.length);
    const wanted = tokens.length - this.floor;
    let common = 0;
    const n = Math.min(this.counted.length, wanted);
    while (common < n && this.counted[common] === tokens[this.floor + common]) common++;
    while (this.counted.length > common) {
      this.counted.pop();
      this.writer.pop();
    }
    for (let i = this.floor + common; i < tokens.length; i++) {
      this.counted.push(tokens[i]!);
      this.writer.push(tokens[i]!);
    }
  }

  /** Forgets the history and this session's text so far (text typed from now on is learned). */
  forget(sessionLength: number): void {
    this.writer.clear();
    this.counted = [];
    this.floor = sessionLength;
  }

  /**
   * Adapted suggestions: completions of `prefix` and the next words, from the model's
   * distribution `lstm` after `context` (the committed tokens, newest last).
   */
  suggest(lstm: ArrayLike<number>, context: readonly string[], prefix: string, k: number): { completions: AdaptedSuggestion[]; next: AdaptedSuggestion[] } {
    const d = this.dist.compute(lstm, this.writer, context.slice(-2), this.mix);
    const next = d.complete('', k);
    return { completions: prefix === '' ? next : d.complete(prefix, k), next };
  }
}
