import { describe, expect, it } from 'vitest';
import { CharTokenizer, splitWords, splitWordsWithSpacing, tokenizerFromJSON, UNK, UNK_ID, WordTokenizer } from '../../models/lm/tokenizer.js';

describe('tokenizers', () => {
  it('splits lower-cased words and punctuation, keeping inner apostrophes and hyphens', () => {
    expect(splitWords('Call me Ishmael. It’s a well-known "whale"—isn\'t it?')).toEqual(['call', 'me', 'ishmael', '.', "it's", 'a', 'well-known', '"', 'whale', '"', '—', "isn't", 'it', '?']);
    const { tokens, spaceAfter } = splitWordsWithSpacing('Hi, you there');
    expect(tokens).toEqual(['hi', ',', 'you', 'there']);
    expect(spaceAfter).toEqual([false, true, true, false]);
  });

  it('caps the word vocabulary by frequency, maps the rest to <unk>, and round-trips through JSON', () => {
    const tok = WordTokenizer.fromText('b a b c b a d. a b', 4);
    expect(tok.vocab).toEqual([UNK, 'b', 'a', '.']); // b x4, a x3, then '.' before c and d (ties: alphabetical)
    expect(tok.encode('a b c')).toEqual([2, 1, UNK_ID]);
    const again = tokenizerFromJSON(JSON.parse(JSON.stringify(tok.toJSON())));
    expect(again.encode('c b a.')).toEqual(tok.encode('c b a.'));
    expect(tok.decode(tok.encode('a b. b a'))).toBe('a b. b a');
    expect(() => WordTokenizer.fromText('x', 1)).toThrow(/maxVocab/);
  });

  it('char tokenizer covers every character of its text and marks unknown ones', () => {
    const tok = CharTokenizer.fromText('hello world');
    expect(tok.size).toBe(1 + new Set('hello world').size);
    expect(tok.decode(tok.encode('hello'))).toBe('hello');
    expect(tok.encode('hZ')[1]).toBe(UNK_ID);
    expect(() => tokenizerFromJSON({ kind: 'char', vocab: ['a', 'b'] })).toThrow(/<unk>/);
    expect(() => tokenizerFromJSON({ kind: 'char', vocab: [UNK, 'a', 'a'] })).toThrow(/duplicate/);
  });
});
