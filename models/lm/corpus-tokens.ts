// Token ids of a list of documents: characters of the documents joined by a blank line, or the
// words of each document one after another.
import { joinDocuments, type Document } from '../../data/corpora/index.js';
import type { Tokenizer } from './tokenizer.js';

export function corpusTokenIds(docs: readonly Document[], tokenizer: Tokenizer): Int32Array {
  if (tokenizer.kind === 'char') return Int32Array.from(tokenizer.encode(joinDocuments(docs)));
  const parts = docs.map((d) => tokenizer.encode(d.text));
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
