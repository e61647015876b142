// Training-mix weights: repeat some documents of a corpus so that a model sees more of them per
// epoch, e.g. `moby-dick=3` to lean an English model toward book prose when most of its corpus is
// speeches. Only the training stream is weighted; the vocabulary, the held-out split and the
// n-gram baseline (built from the corpus as it is) are not.
import type { Document } from './stdlib-english.js';

export interface Oversampling {
  /** Documents whose id starts with `${prefix}/` (or equals it) are used `times` times. */
  prefix: string;
  times: number;
}

const MAX_TIMES = 100;

/** Parses `prefix=k[,prefix=k…]`, k a whole number 1..100; '' means no oversampling. */
export function parseOversampling(spec: string): Oversampling[] {
  if (spec.trim() === '') return [];
  return spec.split(',').map((part) => {
    const m = /^\s*([\w./-]+)\s*=\s*(\d+)\s*$/.exec(part);
    const times = m ? Number(m[2]) : NaN;
    if (!m || !Number.isInteger(times) || times < 1 || times > MAX_TIMES) {
      throw new RangeError(`'${part}' is not <document prefix>=<whole number 1-${MAX_TIMES}>, e.g. moby-dick=3`);
    }
    return { prefix: m[1]!.replace(/\/+$/, ''), times };
  });
}

/** The documents in their order, each repeated as its first matching rule says (unmatched: once). */
export function oversample(docs: readonly Document[], rules: readonly Oversampling[]): Document[] {
  for (const r of rules) {
    if (!docs.some((d) => matches(d, r))) throw new RangeError(`no training document id starts with '${r.prefix}/'`);
  }
  return docs.flatMap((d) => {
    const rule = rules.find((r) => matches(d, r));
    return Array.from({ length: rule?.times ?? 1 }, () => d);
  });
}

function matches(d: Document, r: Oversampling): boolean {
  return d.id === r.prefix || d.id.startsWith(`${r.prefix}/`);
}
