// Tokenizers for the language models: characters, or lower-cased words and punctuation marks
// with a capped vocabulary. Id 0 is always `<unk>`, so any text can be encoded. A tokenizer is
// saved beside its model (tokenizer.json) and rebuilt from that file, never from the corpus.

export const UNK = '<unk>';
export const UNK_ID = 0;

export type TokenKind = 'char' | 'word';

export interface TokenizerJSON {
  kind: TokenKind;
  /** Id -> token; index 0 is `<unk>`. */
  vocab: string[];
}

export interface Tokenizer {
  readonly kind: TokenKind;
  readonly vocab: readonly string[];
  readonly size: number;
  /** Token id of `token`, or UNK_ID. */
  id(token: string): number;
  /** Splits text into token strings (before vocabulary lookup). */
  split(text: string): string[];
  encode(text: string): number[];
  /** Text of a token sequence, as a person would write it. */
  decode(ids: readonly number[]): string;
  toJSON(): TokenizerJSON;
}

abstract class VocabTokenizer implements Tokenizer {
  abstract readonly kind: TokenKind;
  readonly size: number;
  private readonly index = new Map<string, number>();

  constructor(readonly vocab: readonly string[]) {
    if (vocab[UNK_ID] !== UNK) throw new Error(`a tokenizer vocabulary must start with ${UNK}`);
    vocab.forEach((t, i) => {
      if (this.index.has(t)) throw new Error(`duplicate token ${JSON.stringify(t)} in the vocabulary`);
      this.index.set(t, i);
    });
    this.size = vocab.length;
  }

  id(token: string): number {
    return this.index.get(token) ?? UNK_ID;
  }

  abstract split(text: string): string[];
  abstract decode(ids: readonly number[]): string;

  encode(text: string): number[] {
    return this.split(text).map((t) => this.id(t));
  }

  toJSON(): TokenizerJSON {
    return { kind: this.kind, vocab: [...this.vocab] };
  }
}

export class CharTokenizer extends VocabTokenizer {
  readonly kind = 'char' as const;

  /** Vocabulary of every distinct character of `text`, in code-point order. */
  static fromText(text: string): CharTokenizer {
    const chars = [...new Set(text)].sort();
    return new CharTokenizer([UNK, ...chars]);
  }

  split(text: string): string[] {
    return [...text];
  }

  decode(ids: readonly number[]): string {
    return ids.map((i) => (i === UNK_ID ? '?' : (this.vocab[i] ?? '?'))).join('');
  }
}

// Words: runs of letters/digits with inner apostrophes or hyphens ("don't", "well-known");
// everything else that is not white space is a token of its own (". , ; — ( ) ..."). Curly
// apostrophes are folded to ASCII so "it’s" and "it's" are one token.
const WORD_RE = /[\p{L}\p{N}]+(?:['-][\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]/gu;

export function normaliseForWords(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[\u201c\u201d]/g, '"');
}

export function splitWords(text: string): string[] {
  return normaliseForWords(text).match(WORD_RE) ?? [];
}

/** True for a token made of letters or digits (a word a person types), false for punctuation. */
export function isWordToken(token: string): boolean {
  return /^[\p{L}\p{N}]/u.test(token);
}

const NO_SPACE_BEFORE = new Set([',', '.', ';', ':', '!', '?', ')', ']', '}', '%', "'"]);
const NO_SPACE_AFTER = new Set(['(', '[', '{', '$']);

/**
 * True when what is typed next after an accepted suggestion (a token, or the white space after the
 * word) replaces the space the typing page put after the word: a punctuation mark that takes no
 * space before it, or a new line.
 */
export function replacesAutoSpace(next: string): boolean {
  return NO_SPACE_BEFORE.has(next) || /^\r?\n/.test(next);
}

/** The text a word token adds after `prev` (undefined at the start): the token, with a space before it when one belongs there. */
export function wordPiece(prev: string | undefined, token: string): string {
  const glue = prev === undefined || NO_SPACE_BEFORE.has(token) || NO_SPACE_AFTER.has(prev);
  return (glue ? '' : ' ') + token;
}

export class WordTokenizer extends VocabTokenizer {
  readonly kind = 'word' as const;

  /** The `maxVocab - 1` most frequent tokens of `text` (ties broken alphabetically) plus `<unk>`. */
  static fromText(text: string | string[], maxVocab: number): WordTokenizer {
    if (!Number.isInteger(maxVocab) || maxVocab < 2) throw new Error(`maxVocab must be an integer >= 2 (got ${maxVocab})`);
    const counts = new Map<string, number>();
    for (const t of Array.isArray(text) ? text : splitWords(text)) counts.set(t, (counts.get(t) ?? 0) + 1);
    counts.delete(UNK);
    const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return new WordTokenizer([UNK, ...ranked.slice(0, maxVocab - 1).map(([t]) => t)]);
  }

  split(text: string): string[] {
    return splitWords(text);
  }

  decode(ids: readonly number[]): string {
    let out = '';
    let prev: string | undefined;
    for (const i of ids) {
      const tok = this.vocab[i] ?? UNK;
      out += wordPiece(prev, tok);
      prev = tok;
    }
    return out;
  }
}

export function tokenizerFromJSON(json: TokenizerJSON): Tokenizer {
  if (!json || !Array.isArray(json.vocab)) throw new Error('tokenizer.json has no vocab array');
  if (json.kind === 'char') return new CharTokenizer(json.vocab);
  if (json.kind === 'word') return new WordTokenizer(json.vocab);
  throw new Error(`unknown tokenizer kind '${String((json as { kind?: unknown }).kind)}'`);
}

/**
 * Word tokens of an already normalised text from offset `start` (a token boundary), with the
 * offset where each ends: the same tokens a full split finds after that boundary.
 */
export function splitWordsFrom(norm: string, start: number): { tokens: string[]; ends: number[] } {
  const re = new RegExp(WORD_RE.source, 'gu');
  re.lastIndex = start;
  const tokens: string[] = [];
  const ends: number[] = [];
  for (let m = re.exec(norm); m !== null; m = re.exec(norm)) {
    tokens.push(m[0]);
    ends.push(m.index + m[0].length);
  }
  return { tokens, ends };
}

/** Word tokens of `text` with, for each, whether white space follows it (a keystroke to type) and that white space (up to 64 characters). */
export function splitWordsWithSpacing(text: string): { tokens: string[]; spaceAfter: boolean[]; gapAfter: string[] } {
  const norm = normaliseForWords(text);
  const tokens: string[] = [];
  const gapAfter: string[] = [];
  for (const m of norm.matchAll(WORD_RE)) {
    tokens.push(m[0]);
    const end = m.index + m[0].length;
    gapAfter.push(/^\s*/u.exec(norm.slice(end, end + 64))![0]);
  }
  return { tokens, spaceAfter: gapAfter.map((gap) => gap !== ''), gapAfter };
}
