// What a word model learns of one writer while they type: counts of the words they committed
// (unigrams), and of which word followed which (bigrams, trigrams), over a bounded window of
// their most recent tokens. Words outside the model's vocabulary get keys of their own, so a
// name typed once can be suggested. Only tokens handed to `push` are ever counted: the caller
// decides what "already typed" is (a session hands over the committed tokens before the cursor).
import type { Tokenizer } from './tokenizer.js';

/** Longest token the writer model learns (longer ones are kept out of the counts, as a gap). */
export const MAX_LEARNED_TOKEN_CHARS = 48;

/** Tokens a writer model keeps by default (the server's per-writer bound, and eval --adapt's). */
export const DEFAULT_WRITER_TOKENS = 20_000;

/** A key for "no token here" (a gap: an over-long token). */
const GAP = -1;

export class WriterModel {
  readonly vocabSize: number;
  /** Tokens counted, oldest first: keys (vocabulary id, or vocabSize + n for a word outside it). */
  private keys: number[] = [];
  private head = 0;
  /** unigram[key] = occurrences in the window. */
  private unigram: Float64Array;
  private total = 0;
  /** Occurrences of out-of-vocabulary words in the window (how the model's `<unk>` mass is shared). */
  private oovTotal = 0;
  /** bigram: previous key -> next key -> count; trigram: "k2,k1" -> next key -> count. */
  private readonly bigram = new Map<number, Map<number, number>>();
  private readonly trigram = new Map<string, Map<number, number>>();
  /** Out-of-vocabulary words: word <-> key, keys recycled when a word leaves the window. */
  private readonly oovKey = new Map<string, number>();
  private oovWord: (string | undefined)[] = [];
  private readonly freeKeys: number[] = [];

  constructor(readonly tokenizer: Tokenizer) {
    this.vocabSize = tokenizer.size;
    this.unigram = new Float64Array(this.vocabSize + 64);
  }

  /** Tokens in the window. */
  get size(): number {
    return this.keys.length - this.head;
  }

  get totalCount(): number {
    return this.total;
  }

  /** Keys above the vocabulary handed out so far (some may be free). */
  get oovSlots(): number {
    return this.oovWord.length;
  }

  get oovCount(): number {
    return this.oovTotal;
  }

  /** The tokens of the window, oldest first (what is persisted). */
  tokens(): string[] {
    return this.keys.slice(this.head).map((k) => (k === GAP ? '' : this.word(k)));
  }

  /** Key of a token as context (GAP when unknown to the model and never typed). */
  keyOf(token: string): number {
    const id = this.tokenizer.id(token);
    if (id !== 0) return id;
    return this.oovKey.get(token) ?? GAP;
  }

  word(key: number): string {
    return key < this.vocabSize ? this.tokenizer.vocab[key]! : this.oovWord[key - this.vocabSize]!;
  }

  count(key: number): number {
    return key >= 0 && key < this.unigram.length ? this.unigram[key]! : 0;
  }

  /** Keys of the out-of-vocabulary words in the window. */
  oovKeys(): IterableIterator<number> {
    return this.oovKey.values();
  }

  /** Followers of one previous key (bigram) or of two (trigram), with their counts. */
  followers(prev: number): Map<number, number> | undefined {
    return this.bigram.get(prev);
  }

  followers2(prev2: number, prev: number): Map<number, number> | undefined {
    return this.trigram.get(`${prev2},${prev}`);
  }

  /** Counts `token` as typed after the tokens already in the window. */
  push(token: string): void {
    const key = token.length === 0 || token.length > MAX_LEARNED_TOKEN_CHARS ? GAP : this.intern(token);
    const n = this.keys.length;
    if (key !== GAP) {
      this.unigram[key]! += 1;
      this.total++;
      if (key >= this.vocabSize) this.oovTotal++;
      const p1 = n - 1 >= this.head ? this.keys[n - 1]! : GAP;
      const p2 = n - 2 >= this.head ? this.keys[n - 2]! : GAP;
      if (p1 !== GAP) {
        bump(this.bigram, p1, key, 1);
        if (p2 !== GAP) bump(this.trigram, `${p2},${p1}`, key, 1);
      }
    }
    this.keys.push(key);
  }

  /** Uncounts the newest token (the exact reverse of its push). */
  pop(): void {
    if (this.size === 0) return;
    const n = this.keys.length - 1;
    const key = this.keys.pop()!;
    if (key === GAP) return;
    const p1 = n - 1 >= this.head ? this.keys[n - 1]! : GAP;
    const p2 = n - 2 >= this.head ? this.keys[n - 2]! : GAP;
    if (p1 !== GAP) {
      bump(this.bigram, p1, key, -1);
      if (p2 !== GAP) bump(this.trigram, `${p2},${p1}`, key, -1);
    }
    this.uncount(key);
  }

  /** Forgets the oldest tokens until at most `maxTokens` remain. */
  trimTo(maxTokens: number): void {
    while (this.size > maxTokens) {
      const key = this.keys[this.head]!;
      const next = this.head + 1 < this.keys.length ? this.keys[this.head + 1]! : GAP;
      const next2 = this.head + 2 < this.keys.length ? this.keys[this.head + 2]! : GAP;
      if (key !== GAP && next !== GAP) {
        bump(this.bigram, key, next, -1);
        if (next2 !== GAP) bump(this.trigram, `${key},${next}`, next2, -1);
      }
      this.head++;
      if (key !== GAP) this.uncount(key);
    }
    // Compact now and then so the key list does not grow without bound.
    if (this.head > 4096 && this.head > this.keys.length / 2) {
      this.keys = this.keys.slice(this.head);
      this.head = 0;
    }
  }

  /** Forgets everything. */
  clear(): void {
    this.keys = [];
    this.head = 0;
    this.unigram = new Float64Array(this.vocabSize + 64);
    this.total = 0;
    this.oovTotal = 0;
    this.bigram.clear();
    this.trigram.clear();
    this.oovKey.clear();
    this.oovWord = [];
    this.freeKeys.length = 0;
  }

  private intern(token: string): number {
    const id = this.tokenizer.id(token);
    if (id !== 0) return id;
    let key = this.oovKey.get(token);
    if (key === undefined) {
      key = this.freeKeys.pop() ?? this.vocabSize + this.oovWord.length;
      this.oovWord[key - this.vocabSize] = token;
      this.oovKey.set(token, key);
      if (key >= this.unigram.length) {
        const grown = new Float64Array(this.unigram.length * 2);
        grown.set(this.unigram);
        this.unigram = grown;
      }
    }
    return key;
  }

  private uncount(key: number): void {
    this.unigram[key]! -= 1;
    this.total--;
    if (key >= this.vocabSize) {
      this.oovTotal--;
      if (this.unigram[key]! <= 0) {
        this.unigram[key] = 0;
        this.oovKey.delete(this.oovWord[key - this.vocabSize]!);
        this.oovWord[key - this.vocabSize] = undefined;
        this.freeKeys.push(key);
      }
    }
  }
}

function bump<K>(table: Map<K, Map<number, number>>, context: K, key: number, by: number): void {
  let row = table.get(context);
  if (!row) {
    if (by < 0) return;
    table.set(context, (row = new Map()));
  }
  const c = (row.get(key) ?? 0) + by;
  if (c > 0) row.set(key, c);
  else {
    row.delete(key);
    if (row.size === 0) table.delete(context);
  }
}
