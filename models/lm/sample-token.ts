// Drawing a token from a model's next-token probabilities (temperature, top-k; `<unk>` never
// drawn). It runs where the probabilities are: in the language models' step worker for the
// server's generations (a step asked to draw returns the token, not the 6,000 probabilities), and
// here for any other caller.
import { UNK_ID } from './tokenizer.js';

/** A draw asked of a model step: the sampling options and the uniform number in [0, 1) to draw with. */
export interface DrawSpec {
  temperature: number;
  /** Sample among the k most probable tokens; 0 = all. */
  topK: number;
  u: number;
}

/** For each row of `probs` (vocabSize floats each) with a draw, the token drawn; -1 for the rows without. */
export function drawRows(probs: Float32Array, vocabSize: number, draws: readonly (DrawSpec | null | undefined)[]): Int32Array {
  const drawn = new Int32Array(draws.length).fill(-1);
  draws.forEach((d, i) => {
    if (d) drawn[i] = sampleToken(probs.subarray(i * vocabSize, (i + 1) * vocabSize), d, d.u);
  });
  return drawn;
}

/**
 * Draws a token id from `probs` sharpened or flattened by the temperature, among the top k
 * (ties in probability: the lower id first). Linear in the vocabulary: it runs for every generated
 * token, where a comparator sort of 6,000 ids took ~4 ms a token.
 */
export function sampleToken(probs: ArrayLike<number>, opts: { temperature: number; topK: number }, u: number): number {
  let count = 0;
  for (let i = 0; i < probs.length; i++) if (i !== UNK_ID && probs[i]! > 0) count++;
  if (count === 0) return UNK_ID;
  const k = opts.topK > 0 && count > opts.topK ? opts.topK : count;
  // The k-th largest probability: every candidate above it is in, then those equal to it by id.
  let threshold = 0;
  if (k < count) {
    const values = new Float64Array(count);
    for (let i = 0, j = 0; i < probs.length; i++) if (i !== UNK_ID && probs[i]! > 0) values[j++] = probs[i]!;
    threshold = nthSmallest(values, count - k);
  }
  let equalSlots = k;
  if (k < count) for (let i = 0; i < probs.length; i++) if (i !== UNK_ID && probs[i]! > threshold) equalSlots--;
  const ids: number[] = [];
  for (let i = 0; i < probs.length; i++) {
    if (i === UNK_ID || !(probs[i]! > 0) || probs[i]! < threshold) continue;
    if (k < count && probs[i] === threshold) {
      if (equalSlots === 0) continue;
      equalSlots--;
    }
    ids.push(i);
  }
  if (k < count) ids.sort((a, b) => probs[b]! - probs[a]!); // k ids: most probable first, stable
  const inv = 1 / opts.temperature;
  const logs = new Float64Array(ids.length);
  let maxLog = -Infinity;
  for (let j = 0; j < ids.length; j++) maxLog = Math.max(maxLog, (logs[j] = Math.log(probs[ids[j]!]!)));
  const weights = logs; // each log becomes its weight in place
  let total = 0;
  for (let j = 0; j < ids.length; j++) total += weights[j] = Math.exp((logs[j]! - maxLog) * inv);
  let r = u * total;
  for (let j = 0; j < ids.length; j++) {
    r -= weights[j]!;
    if (r <= 0) return ids[j]!;
  }
  return ids[ids.length - 1]!;
}

/** The n-th smallest value (0-based) of `values`, which it reorders (quickselect, linear on average). */
function nthSmallest(values: Float64Array, n: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i++] = values[j]!;
        values[j--] = t;
      }
    }
    if (n <= j) hi = j;
    else if (n >= i) lo = i;
    else return values[n]!;
  }
  return values[n]!;
}
