// A live text session over a language model: the person's text, the tokens it commits to the
// model, and the LSTM state after each token, kept so that an edit costs one step per changed
// token. After an edit the session re-tokenises the text from the last token boundary the edit
// cannot have touched (so a keystroke costs the same in a long text as in a short one), keeps
// the longest common prefix of tokens, rolls back to the state there (from a bounded store of states per token boundary:
// every one of the last few, and every `checkpointStride`-th before that), and steps forward
// over the new tokens. States are plain Float32Arrays: the session holds no tensors.
import { completeWithChars } from './char-completion.js';
import type { StepResult } from './lstm-step.js';
import type { DrawSpec } from './sample-token.js';
import { topK } from './metrics.js';
import { isWordToken, normaliseForWords, splitWordsFrom, UNK_ID, type Tokenizer } from './tokenizer.js';
import { PrefixIndex, type Suggestion } from './word-completion.js';
import type { SessionAdaptation } from './session-adaptation.js';
import type { AdaptedSuggestion } from './adapted-distribution.js';

/** One LSTM step of one sequence: its probabilities and state after the token. */
export interface SequenceStep extends StepResult {
  /** The next token, drawn where the model runs, when the step was asked for a draw (its `probs` may then be empty). */
  drawn?: number;
}

/** One LSTM step for one sequence (the server batches these across sessions); `draw` asks it to draw the next token too. */
export type StepOne = (token: number, state: Float32Array, draw?: DrawSpec) => Promise<SequenceStep>;

export interface TextEdit {
  /** Clear the text first (a new document, or the cursor moved: send the text before it as insert). */
  reset?: boolean;
  /** Characters removed from the end (backspace). */
  delete?: number;
  /** Text appended after the deletion. */
  insert?: string;
}

export interface SessionLimits {
  /** Longest text a session may hold. */
  maxChars: number;
  /** Boundaries whose state is always kept (the most recent ones). */
  recentStates: number;
  /** Further back, one state every this many tokens. */
  checkpointStride: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { maxChars: 20_000, recentStates: 64, checkpointStride: 32 };

export class ContextTooLongError extends Error {
  constructor(
    readonly length: number,
    readonly maxChars: number,
  ) {
    super(`the text would be ${length} characters long; a session holds at most ${maxChars}`);
    this.name = 'ContextTooLongError';
  }
}

export interface SessionSuggestions {
  /** What the person has typed of the current word ('' at a word boundary). */
  prefix: string;
  /** Most probable words completing the prefix (the next words when the prefix is empty). */
  completions: (Suggestion | AdaptedSuggestion)[];
  /** Most probable next tokens after the last completed token: words, or characters for char models. */
  next: (Suggestion | AdaptedSuggestion)[];
  /** Tokens of context the model has consumed. */
  contextTokens: number;
}

interface Counters {
  steps: number;
  rollbacks: number;
}

export class TextSession {
  private text = '';
  /** The text as the tokenizer sees it (lower-cased for word models). */
  private norm = '';
  /** Tokens fed to the model: a start token, then the committed tokens of the text. */
  private ids: number[];
  /** The token strings of `ids` (word models; words outside the vocabulary as typed). */
  private words: string[];
  /** ends[i] = offset in `norm` where the token ids[i] ends (0 for the start token). */
  private ends: number[] = [0];
  /** The word being typed (not committed to the model yet). */
  private prefix = '';
  /** states.get(i) = state after feeding ids[0..i). */
  private readonly states = new Map<number, Float32Array>();
  /** features.get(i) = the model's feature vector after feeding ids[0..i), for the last `recentStates` boundaries (the neural cache's). */
  private readonly features = new Map<number, Float32Array>();
  /** Distribution after feeding all of `ids`. */
  private probs: Float32Array;
  private readonly index: PrefixIndex | undefined;
  /** What the writer has typed, mixed into word suggestions (word models, when given). */
  adaptation: SessionAdaptation | undefined;
  readonly counters: Counters = { steps: 0, rollbacks: 0 };

  private constructor(
    readonly tokenizer: Tokenizer,
    private readonly step: StepOne,
    readonly limits: SessionLimits,
    start: { id: number; probs: Float32Array; zero: Float32Array; after: Float32Array; features: Float32Array | undefined },
  ) {
    this.ids = [start.id];
    this.words = [tokenizer.vocab[start.id]!];
    this.states.set(0, start.zero);
    this.states.set(1, start.after);
    if (start.features) this.features.set(1, start.features);
    this.probs = start.probs;
    this.index = tokenizer.kind === 'word' ? PrefixIndex.for(tokenizer) : undefined;
  }

  /** A session over an empty text; costs one step (the start token). */
  static async create(tokenizer: Tokenizer, step: StepOne, zeroState: Float32Array, limits: Partial<SessionLimits> = {}): Promise<TextSession> {
    const id = startToken(tokenizer);
    const out = await step(id, zeroState);
    const s = new TextSession(tokenizer, step, { ...DEFAULT_SESSION_LIMITS, ...limits }, { id, probs: out.probs, zero: zeroState, after: out.states, features: out.features });
    s.counters.steps++;
    return s;
  }

  get currentText(): string {
    return this.text;
  }

  /** Tokens committed so far as strings (without the start token). */
  get committedTokens(): readonly string[] {
    return this.words.slice(1);
  }

  /** Token ids committed so far (without the start token). */
  get committedIds(): readonly number[] {
    return this.ids.slice(1);
  }

  /** Distribution for the next token after the committed ones. */
  get nextTokenProbs(): Float32Array {
    return this.probs;
  }

  /** States held for rollback (bounded by recentStates + tokens / checkpointStride). */
  get storedStates(): number {
    return this.states.size;
  }

  /** Applies an edit to the text (throws ContextTooLongError, leaving the text unchanged) and brings the model up to date. */
  async edit(e: TextEdit): Promise<void> {
    let text = e.reset ? '' : this.text;
    const del = e.delete ?? 0;
    if (!Number.isInteger(del) || del < 0) throw new RangeError(`delete must be a whole number >= 0 (got ${del})`);
    if (del > 0) text = dropLastCodePoints(text, del);
    text += e.insert ?? '';
    if (text.length > this.limits.maxChars) throw new ContextTooLongError(text.length, this.limits.maxChars);
    this.text = text;
    await this.sync();
  }

  /** Suggestions for the current text. */
  async suggest(k: number): Promise<SessionSuggestions> {
    const prefix = this.prefix;
    const contextTokens = this.ids.length - 1;
    if (this.index && this.adaptation) {
      // Only committed tokens (before the cursor, the open word excluded) reach the writer model.
      // Committed token i was predicted from the vector after ids[0..i + 1) (ids[0] is the start token).
      this.adaptation.sync(this.committedTokens, (i) => this.features.get(i + 1));
      return { prefix, ...this.adaptation.suggest(this.probs, this.words, prefix, k, this.features.get(this.ids.length)), contextTokens };
    }
    if (this.index) {
      return {
        prefix,
        completions: this.index.complete(this.probs, prefix, k),
        next: this.index.complete(this.probs, '', k),
        contextTokens,
      };
    }
    const state = this.states.get(this.ids.length)!;
    const stepMany = async (tokens: number[], states: Float32Array): Promise<StepResult> => {
      const S = state.length;
      const outs = await Promise.all(tokens.map((t, i) => this.step(t, states.subarray(i * S, (i + 1) * S))));
      this.counters.steps += tokens.length;
      return concatResults(outs);
    };
    const completions = await completeWithChars(stepMany, this.tokenizer, prefix, this.probs, state, { k });
    const next = topK(this.probs, k).map((id) => ({ word: this.tokenizer.vocab[id]!, p: this.probs[id]! }));
    return { prefix, completions, next, contextTokens };
  }

  private async sync(): Promise<void> {
    const norm = this.tokenizer.kind === 'word' ? normaliseForWords(this.text) : this.text;
    const changedAt = commonPrefixLength(this.norm, norm);
    // Tokens ending at least two characters before the change keep their extent: a word token
    // looks one or two characters ahead ("don" + "'t" becomes "don't").
    const margin = this.tokenizer.kind === 'word' ? 2 : 0;
    let keep = this.ends.length - 1;
    while (keep > 0 && this.ends[keep]! + margin > changedAt) keep--;
    const tail = this.tokenizeFrom(norm, this.ends[keep]!);
    const target = [...this.ids.slice(0, keep + 1), ...tail.ids];
    const targetWords = [...this.words.slice(0, keep + 1), ...tail.tokens];
    let common = keep + 1;
    while (common < this.ids.length && common < target.length && this.ids[common] === target[common]) common++;
    this.norm = norm;
    this.ends = [...this.ends.slice(0, keep + 1), ...tail.ends];
    this.prefix = tail.prefix;
    if (common < this.ids.length) await this.rollBack(common);
    for (let i = common; i < target.length; i++) await this.advance(target[i]!);
    this.words = targetWords;
  }

  /** Committed token ids of `norm` from offset `start` (a token boundary), their ends, and the open word. */
  private tokenizeFrom(norm: string, start: number): { ids: number[]; tokens: string[]; ends: number[]; prefix: string } {
    if (this.tokenizer.kind === 'char') {
      const chars = [...norm.slice(start)];
      const ends: number[] = [];
      let at = start;
      for (const c of chars) ends.push((at += c.length));
      return { ids: chars.map((c) => this.tokenizer.id(c)), tokens: chars, ends, prefix: trailingWord(norm) };
    }
    const { tokens, ends } = splitWordsFrom(norm, start);
    let prefix = '';
    const last = tokens[tokens.length - 1];
    if (last !== undefined && ends[ends.length - 1] === norm.length && isWordToken(last)) {
      prefix = last;
      tokens.pop();
      ends.pop();
    }
    return { ids: tokens.map((t) => this.tokenizer.id(t)), tokens, ends, prefix };
  }

  /** Drops tokens after boundary `n` and restores state(n) and the distribution there. */
  private async rollBack(n: number): Promise<void> {
    this.counters.rollbacks++;
    for (const key of [...this.states.keys()]) if (key > n) this.states.delete(key);
    for (const key of [...this.features.keys()]) if (key > n) this.features.delete(key);
    this.ids.length = n;
    // The distribution at n comes from stepping ids[n-1] from state(n-1).
    let from = n - 1;
    while (!this.states.has(from)) from--;
    let state = this.states.get(from)!;
    let out: StepResult | undefined;
    for (let i = from; i < n; i++) {
      out = await this.step(this.ids[i]!, state);
      this.counters.steps++;
      state = out.states;
      if (i + 1 < n) this.remember(i + 1, state, out.features);
    }
    this.probs = out!.probs;
    this.states.set(n, state);
    if (out!.features) this.features.set(n, out!.features);
  }

  private async advance(token: number): Promise<void> {
    const out = await this.step(token, this.states.get(this.ids.length)!);
    this.counters.steps++;
    this.ids.push(token);
    this.probs = out.probs;
    this.remember(this.ids.length, out.states, out.features);
  }

  /** Stores state(i) and forgets recent states that are neither recent nor a checkpoint any more. */
  private remember(i: number, state: Float32Array, features: Float32Array | undefined): void {
    this.states.set(i, state);
    if (features) this.features.set(i, features);
    const old = i - this.limits.recentStates;
    if (old > 1 && old % this.limits.checkpointStride !== 0) this.states.delete(old);
    this.features.delete(old);
  }
}

/** `text` without its last `n` code points (a surrogate pair is one character to the person). */
function dropLastCodePoints(text: string, n: number): string {
  let end = text.length;
  for (let i = 0; i < n && end > 0; i++) end -= end >= 2 && /[\uDC00-\uDFFF]/.test(text[end - 1]!) && /[\uD800-\uDBFF]/.test(text[end - 2]!) ? 2 : 1;
  return text.slice(0, end);
}

function commonPrefixLength(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

const WORD_CHAR = /[\p{L}\p{N}']/u;

/** Letters (and apostrophes) at the very end of `text`, found scanning backwards. */
function trailingWord(text: string): string {
  let i = text.length;
  while (i > 0) {
    // Step back over a whole code point (surrogate pairs included).
    const j = i >= 2 && /[\uDC00-\uDFFF]/.test(text[i - 1]!) ? i - 2 : i - 1;
    if (!WORD_CHAR.test(text.slice(j, i))) break;
    i = j;
  }
  return text.slice(i);
}

/** The token every session starts from: a sentence end for word models, a new line for char models. */
export function startToken(tokenizer: Tokenizer): number {
  const id = tokenizer.id(tokenizer.kind === 'word' ? '.' : '\n');
  return id === UNK_ID ? UNK_ID : id;
}

function concatResults(outs: StepResult[]): StepResult {
  const V = outs[0]!.probs.length;
  const S = outs[0]!.states.length;
  const probs = new Float32Array(outs.length * V);
  const states = new Float32Array(outs.length * S);
  outs.forEach((o, i) => {
    probs.set(o.probs, i * V);
    states.set(o.states, i * S);
  });
  return { probs, states };
}
