// Keystroke savings of top-3 suggestions, offline: a typist types each word letter by letter
// and, as soon as the word is among the three suggestions for what they typed of it, accepts it
// with one keystroke. Savings = keystrokes saved / keystrokes of typing everything.
//
// Word models follow the typing page (client/src/pages/typing/text-sync.ts): accepting a word also
// types the space after it, and a punctuation mark that takes no space before it (or a new line)
// typed next replaces that space. So an accepted word followed by a space saves that keystroke too,
// one followed by such a mark or a new line saves nothing more, and one followed by anything else
// (a quote, a dash) costs a backspace. A word right after a mark (`(having`) is accepted only once
// a letter is typed: with nothing typed the page would put a space in front of it.
// `savingsWithoutAutoSpace` is the same typist on a keyboard that types only the word (this eval's
// only figure before 5 Dec 2026).
import type { LstmStepper } from './lstm-step.js';
import { completeWithChars } from './char-completion.js';
import { isWordToken, replacesAutoSpace, splitWordsWithSpacing, type Tokenizer } from './tokenizer.js';
import type { PrefixIndex } from './word-completion.js';

const SUGGESTIONS = 3;

export interface SavingsResult {
  keystrokes: number;
  saved: number;
  savings: number;
  words: number;
}

export interface WordSavingsResult extends SavingsResult {
  /** Keystrokes saved on a keyboard that types no space after an accepted word. */
  savedWithoutAutoSpace: number;
  savingsWithoutAutoSpace: number;
}

/** How accepting a suggestion works where a word is typed. */
export interface Acceptance {
  /** What the space typed after an accepted word is worth: 1 when a space follows the word, 0 when what follows replaces it (or no space is typed), -1 when it must be deleted. */
  spaceWorth: number;
  /** Letters to type before accepting (the page puts a space in front of a word accepted right after a mark, e.g. `(`). */
  minTyped: number;
}

/** A keyboard that types only the word. */
export const PLAIN_ACCEPTANCE: Acceptance = { spaceWorth: 0, minTyped: 0 };

/** Keystrokes a typist saves on `word` given a ranking of completions for each typed prefix. */
export function savedOnWord(word: string, suggestionsFor: (prefix: string) => string[], acceptance: Acceptance = PLAIN_ACCEPTANCE): number {
  const { spaceWorth, minTyped } = acceptance;
  // Accepting costs one keystroke, so it pays only when it saves at least two.
  for (let typed = minTyped; typed <= word.length - 2 + spaceWorth; typed++) {
    if (suggestionsFor(word.slice(0, typed)).includes(word)) return word.length - typed - 1 + spaceWorth;
  }
  return 0;
}

/** Accepting token `pos` on the typing page (client/src/pages/typing/text-sync.ts, acceptWord and replaceAutoSpace). */
export function typingPageAcceptance(tokens: readonly string[], gapAfter: readonly string[], pos: number): Acceptance {
  const gap = gapAfter[pos]!;
  const next = gap !== '' ? gap : tokens[pos + 1];
  // Nothing after the last token: a trailing space costs nothing.
  const spaceWorth = gap.startsWith(' ') ? 1 : next === undefined || replacesAutoSpace(next) ? 0 : -1;
  return { spaceWorth, minTyped: pos > 0 && gapAfter[pos - 1] === '' ? 1 : 0 };
}

/**
 * Word models: call `visit(position, probs)` with the model's distribution for each scored
 * token (from scoreStreamsAsync); keystrokes count every character of the scored tokens plus one for
 * the white space after a token.
 */
export function wordKeystrokeSavings(index: PrefixIndex, text: string) {
  const { tokens, spaceAfter, gapAfter } = splitWordsWithSpacing(text);
  let keystrokes = 0;
  let saved = 0;
  let savedWithoutAutoSpace = 0;
  let words = 0;
  return {
    visit(pos: number, probs: Float32Array): void {
      this.visitWith(pos, (prefix, k) => index.complete(probs, prefix, k).map((s) => s.word));
    },
    /** The same with any completer (e.g. the writer-adapted distribution): `complete(prefix, k)` -> words. */
    visitWith(pos: number, complete: (prefix: string, k: number) => string[]): void {
      const tok = tokens[pos]!;
      keystrokes += tok.length + (spaceAfter[pos] ? 1 : 0);
      if (!isWordToken(tok)) return;
      words++;
      const cached = new Map<string, string[]>();
      const suggestionsFor = (prefix: string) => {
        let s = cached.get(prefix);
        if (!s) cached.set(prefix, (s = complete(prefix, SUGGESTIONS)));
        return s;
      };
      saved += savedOnWord(tok, suggestionsFor, typingPageAcceptance(tokens, gapAfter, pos));
      savedWithoutAutoSpace += savedOnWord(tok, suggestionsFor);
    },
    result(): WordSavingsResult {
      const share = (n: number) => (keystrokes > 0 ? n / keystrokes : 0);
      return { keystrokes, saved, savings: share(saved), words, savedWithoutAutoSpace, savingsWithoutAutoSpace: share(savedWithoutAutoSpace) };
    },
  };
}

const CHAR_WORD_RE = /[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu;

/**
 * Character models: feeds the text one character at a time and, inside each of the first
 * `maxWords` words, asks a beam search for the top-3 completions of the typed prefix.
 * Keystrokes are the characters up to the end of the last word examined.
 */
export async function charKeystrokeSavings(stepper: LstmStepper, tokenizer: Tokenizer, text: string, maxWords: number): Promise<SavingsResult> {
  // Every step is read with data() (webgpu cannot read GPU tensors synchronously in Node).
  const step = (tokens: number[], states: Float32Array) => stepper.step(tokens, states);
  const words = [...text.matchAll(CHAR_WORD_RE)].slice(0, maxWords);
  if (words.length === 0) return { keystrokes: 0, saved: 0, savings: 0, words: 0 };
  let state: Float32Array = stepper.zeroState();
  let probs: Float32Array | undefined;
  let fed = 0;
  const feed = async (upTo: number) => {
    for (; fed < upTo; fed++) {
      const out = await step([tokenizer.id(text[fed]!)], state);
      state = out.states;
      probs = out.probs;
    }
  };
  let saved = 0;
  for (const m of words) {
    const word = m[0];
    const start = m.index;
    const cache = new Map<string, string[]>();
    saved += await savedOnWordAsync(word, async (prefix) => {
      await feed(start + prefix.length);
      if (!probs) return [];
      if (!cache.has(prefix)) {
        const s = await completeWithChars(step, tokenizer, prefix, probs, state, { k: SUGGESTIONS });
        cache.set(
          prefix,
          s.map((x) => x.word),
        );
      }
      return cache.get(prefix)!;
    });
  }
  const last = words[words.length - 1]!;
  const keystrokes = last.index + last[0].length;
  return { keystrokes, saved, savings: saved / keystrokes, words: words.length };
}

async function savedOnWordAsync(word: string, suggestionsFor: (prefix: string) => Promise<string[]>): Promise<number> {
  for (let typed = 0; typed <= word.length - 2; typed++) {
    if ((await suggestionsFor(word.slice(0, typed))).includes(word)) return word.length - typed - 1;
  }
  return 0;
}
