// Keystroke savings as the typing page works: accepting a word types the space after it, a
// closing mark or a new line typed next replaces that space, and a word right after a mark needs
// a letter typed before it is accepted.
import { describe, expect, it } from 'vitest';
import { savedOnWord, typingPageAcceptance, wordKeystrokeSavings } from '../../models/lm/keystroke-savings.js';
import { splitWordsWithSpacing } from '../../models/lm/tokenizer.js';
import { acceptWord, replaceAutoSpace } from '../../client/src/pages/typing/text-sync.js';

/** Suggests `word` once `letters` of it are typed. */
const suggestAfter = (word: string, letters: number) => (prefix: string) => (prefix.length >= letters ? [word] : ['other']);

describe('savedOnWord', () => {
  it('accepts as soon as the word is suggested; accepting costs one key, the space the page adds saves one', () => {
    expect(savedOnWord('whale', suggestAfter('whale', 0))).toBe(4);
    expect(savedOnWord('whale', suggestAfter('whale', 2))).toBe(2);
    expect(savedOnWord('whale', suggestAfter('whale', 2), { spaceWorth: 1, minTyped: 0 })).toBe(3);
    expect(savedOnWord('whale', suggestAfter('whale', 2), { spaceWorth: -1, minTyped: 0 })).toBe(1);
    expect(savedOnWord('whale', suggestAfter('whale', 0), { spaceWorth: 1, minTyped: 1 })).toBe(4);
  });

  it('accepts only when it saves something', () => {
    // One letter left: accepting costs as much as typing it, unless it also types the space.
    expect(savedOnWord('whale', suggestAfter('whale', 4))).toBe(0);
    expect(savedOnWord('whale', suggestAfter('whale', 4), { spaceWorth: 1, minTyped: 0 })).toBe(1);
    expect(savedOnWord('whale', suggestAfter('whale', 5), { spaceWorth: 1, minTyped: 0 })).toBe(0);
    expect(savedOnWord('whale', suggestAfter('whale', 3), { spaceWorth: -1, minTyped: 0 })).toBe(0);
    expect(savedOnWord('whale', () => [])).toBe(0);
  });
});

describe('typingPageAcceptance', () => {
  it('follows what comes after the word and what is before it', () => {
    const { tokens, gapAfter } = splitWordsWithSpacing('call me ishmael, some years\nago said "never mind-- how');
    const at = (word: string) => typingPageAcceptance(tokens, gapAfter, tokens.indexOf(word));
    expect(at('call')).toEqual({ spaceWorth: 1, minTyped: 0 }); // a space: the page typed it
    expect(at('ishmael').spaceWorth).toBe(0); // a comma replaces it
    expect(at('years').spaceWorth).toBe(0); // so does a new line
    expect(at('mind').spaceWorth).toBe(-1); // a dash does not: deleted
    expect(at('how').spaceWorth).toBe(0); // the end of the text
    expect(at('said').spaceWorth).toBe(1);
    expect(at('never').minTyped).toBe(1); // right after the quote
  });

  it('agrees with the page: accepting each word as it says, and typing the rest, makes the text with the keys it counts', () => {
    const text = 'call me ishmael, some years ago. never mind-- how long;\nprecisely (having little) money\nhe said "no"';
    const { tokens, gapAfter } = splitWordsWithSpacing(text);
    let page = '';
    let keys = 0;
    const typeRaw = (s: string) => {
      page += s;
      keys += s.length;
    };
    for (let i = 0; i < tokens.length; i++) {
      const tok = tokens[i]!;
      if (!/^\p{L}/u.test(tok)) {
        typeRaw(tok + gapAfter[i]!);
        continue;
      }
      const { spaceWorth, minTyped } = typingPageAcceptance(tokens, gapAfter, i);
      if (tok.length - minTyped - 1 + spaceWorth < 1) {
        typeRaw(tok + gapAfter[i]!); // accepting would save nothing
        continue;
      }
      typeRaw(tok.slice(0, minTyped));
      page = acceptWord(page, tok.slice(0, minTyped), tok);
      keys += 1;
      if (spaceWorth === 1) {
        typeRaw(gapAfter[i]!.slice(1));
      } else if (spaceWorth === -1) {
        page = page.slice(0, -1); // backspace
        keys += 1;
        typeRaw(gapAfter[i]!);
      } else if (i < tokens.length - 1) {
        // What follows takes the place of the space: the new line, or the next token (typed with its gap).
        const next = gapAfter[i] === '' ? tokens[++i]! : gapAfter[i]![0]!;
        const replaced = replaceAutoSpace(page, page + next);
        expect(replaced, `after ${tok}`).toBeDefined();
        page = replaced!;
        keys += 1;
        typeRaw(gapAfter[i] === '' || next !== gapAfter[i]![0] ? gapAfter[i]! : gapAfter[i]!.slice(1));
      } else {
        page = page.slice(0, -1); // the end: the trailing space is not part of the text
      }
    }
    expect(page).toBe(text);
    // A completer that always suggests the word: the savings model counts the same keys.
    const savings = wordKeystrokeSavings(undefined as never, text);
    for (let i = 0; i < tokens.length; i++) savings.visitWith(i, () => [tokens[i]!]);
    const r = savings.result();
    expect(r.keystrokes).toBe(text.length);
    expect(r.keystrokes - r.saved).toBe(keys);
  });
});

describe('wordKeystrokeSavings', () => {
  it('reports the savings with and without the space the page adds', () => {
    const text = 'the whale, the sea';
    const { tokens } = splitWordsWithSpacing(text);
    const savings = wordKeystrokeSavings(undefined as never, text);
    // Each word suggested once two letters are typed.
    for (let i = 0; i < tokens.length; i++) savings.visitWith(i, (prefix) => (prefix.length >= 2 ? [tokens[i]!] : []));
    const r = savings.result();
    expect(r.keystrokes).toBe(text.length);
    // the: one letter left, worth it only with the space; whale: 2 (the comma replaces its space); sea: one letter left, at the end.
    expect(r.savedWithoutAutoSpace).toBe(0 + 2 + 0 + 0);
    expect(r.saved).toBe(1 + 2 + 1 + 0);
    expect(r.savings).toBeCloseTo(4 / text.length, 12);
    expect(r.savingsWithoutAutoSpace).toBeCloseTo(2 / text.length, 12);
  });
});
