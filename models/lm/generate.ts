// Text generation: feeds a prompt one token at a time, then samples tokens from the model's
// distribution (temperature, top-k; `<unk>` never sampled) and yields each as text to append.
import { createRandom } from '../../simulators/random.js';
import type { StepOne } from './text-session.js';
import { startToken } from './text-session.js';
import { UNK_ID, wordPiece, type Tokenizer } from './tokenizer.js';

export interface SamplingOptions {
  temperature: number;
  /** Sample among the k most probable tokens; 0 = all. */
  topK: number;
  maxTokens: number;
  seed: number;
}

export interface GeneratedToken {
  id: number;
  /** Text to append to what came before (word pieces carry their leading space). */
  text: string;
}

export async function* generateTokens(
  step: StepOne,
  tokenizer: Tokenizer,
  zeroState: Float32Array,
  prompt: string,
  opts: SamplingOptions,
  isStopped: () => boolean = () => false,
): AsyncGenerator<GeneratedToken> {
  const rng = createRandom(opts.seed);
  const promptIds = tokenizer.encode(prompt);
  let state = zeroState;
  let probs: Float32Array | undefined;
  for (const id of [startToken(tokenizer), ...promptIds]) {
    if (isStopped()) return;
    const out = await step(id, state);
    state = out.states;
    probs = out.probs;
  }
  let prev = promptIds.length > 0 ? tokenizer.vocab[promptIds[promptIds.length - 1]!] : undefined;
  for (let n = 0; n < opts.maxTokens && !isStopped(); n++) {
    const id = sampleToken(probs!, opts, rng.next());
    const tok = tokenizer.vocab[id]!;
    yield { id, text: tokenizer.kind === 'word' ? wordPiece(prev, tok) : tok };
    prev = tok;
    if (n + 1 === opts.maxTokens) return; // the last token needs no step after it
    const out = await step(id, state);
    state = out.states;
    probs = out.probs;
  }
}

/** Draws a token id from `probs` sharpened or flattened by the temperature, among the top k. */
export function sampleToken(probs: ArrayLike<number>, opts: { temperature: number; topK: number }, u: number): number {
  const ids: number[] = [];
  for (let i = 0; i < probs.length; i++) if (i !== UNK_ID && probs[i]! > 0) ids.push(i);
  if (ids.length === 0) return UNK_ID;
  if (opts.topK > 0 && ids.length > opts.topK) {
    ids.sort((a, b) => probs[b]! - probs[a]!);
    ids.length = opts.topK;
  }
  const inv = 1 / opts.temperature;
  const maxLog = Math.max(...ids.map((i) => Math.log(probs[i]!)));
  const weights = ids.map((i) => Math.exp((Math.log(probs[i]!) - maxLog) * inv));
  const total = weights.reduce((a, b) => a + b, 0);
  let r = u * total;
  for (let j = 0; j < ids.length; j++) {
    r -= weights[j]!;
    if (r <= 0) return ids[j]!;
  }
  return ids[ids.length - 1]!;
}
