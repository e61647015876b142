import { describe, expect, it } from 'vitest';
import { oversample, parseOversampling } from '../../data/corpora/oversample.js';

const docs = [
  { id: 'moby-dick/chapter-1', text: 'call me ishmael' },
  { id: 'sotu/1790-george-washington', text: 'fellow citizens' },
  { id: 'moby-dick/epilogue', text: 'the drama is done' },
];

describe('training-mix oversampling', () => {
  it('parses prefix=k lists and treats an empty spec as none', () => {
    expect(parseOversampling('moby-dick=3, sotu=2')).toEqual([
      { prefix: 'moby-dick', times: 3 },
      { prefix: 'sotu', times: 2 },
    ]);
    expect(parseOversampling('')).toEqual([]);
  });

  it('rejects malformed or out-of-range weights with the expected form in the message', () => {
    for (const bad of ['moby-dick', 'moby-dick=0', 'moby-dick=1.5', 'moby-dick=101', '=3']) {
      expect(() => parseOversampling(bad), bad).toThrow(/moby-dick=3/);
    }
  });

  it('repeats matching documents in place and keeps the others once', () => {
    const out = oversample(docs, parseOversampling('moby-dick=2'));
    expect(out.map((d) => d.id)).toEqual(['moby-dick/chapter-1', 'moby-dick/chapter-1', 'sotu/1790-george-washington', 'moby-dick/epilogue', 'moby-dick/epilogue']);
  });

  it('matches whole path segments only and fails on a prefix that names nothing', () => {
    expect(() => oversample(docs, parseOversampling('moby=2'))).toThrow(/no training document/);
    expect(oversample(docs, [])).toEqual(docs);
  });
});
