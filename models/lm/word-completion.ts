// Word suggestions from a word model's next-token distribution: the most probable vocabulary
// words that start with what the person has typed of the current word (all words when nothing).
// Punctuation and `<unk>` are never suggested: nobody saves keystrokes on them.
import { isWordToken, type Tokenizer } from './tokenizer.js';

export interface Suggestion {
  word: string;
  p: number;
}

const shared = new WeakMap<Tokenizer, PrefixIndex>();

export class PrefixIndex {
  /** One index per tokenizer, shared by all the sessions on it (building one takes a while). */
  static for(tokenizer: Tokenizer): PrefixIndex {
    let index = shared.get(tokenizer);
    if (!index) shared.set(tokenizer, (index = new PrefixIndex(tokenizer)));
    return index;
  }

  /** prefix -> ids of the vocabulary words starting with it (the empty prefix lists them all). */
  private readonly byPrefix = new Map<string, Int32Array>();

  constructor(readonly tokenizer: Tokenizer) {
    const lists = new Map<string, number[]>();
    tokenizer.vocab.forEach((tok, id) => {
      if (!isWordToken(tok)) return;
      for (let j = 0; j <= tok.length; j++) {
        const p = tok.slice(0, j);
        let l = lists.get(p);
        if (!l) lists.set(p, (l = []));
        l.push(id);
      }
    });
    for (const [p, l] of lists) this.byPrefix.set(p, Int32Array.from(l));
  }

  /** The `k` most probable words starting with `prefix` (lower-cased), most probable first. */
  complete(probs: ArrayLike<number>, prefix: string, k: number): Suggestion[] {
    return this.completeIds(probs, prefix, k).map((id) => ({ word: this.tokenizer.vocab[id]!, p: probs[id]! }));
  }

  /** Token ids of `complete`. */
  completeIds(probs: ArrayLike<number>, prefix: string, k: number): number[] {
    const ids = this.byPrefix.get(prefix.toLowerCase());
    if (!ids || k <= 0) return [];
    const best: number[] = [];
    for (const id of ids) {
      const p = probs[id]!;
      if (best.length === k && p <= probs[best[k - 1]!]!) continue;
      let j = best.length < k ? best.length : k - 1;
      while (j > 0 && probs[best[j - 1]!]! < p) {
        best[j] = best[j - 1]!;
        j--;
      }
      best[j] = id;
    }
    return best;
  }

  /** True when `word` is a suggestible vocabulary word. */
  has(word: string): boolean {
    const ids = this.byPrefix.get(word);
    return ids !== undefined && ids.some((id) => this.tokenizer.vocab[id] === word);
  }
}
