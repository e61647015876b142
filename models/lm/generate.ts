// Text generation: feeds a prompt one token at a time, then samples tokens from the model's
// distribution (temperature, top-k; `<unk>` never sampled) and yields each as text to append.
import { createRandom } from '../../lib/random.js';
import type { StepOne } from './text-session.js';
import { startToken } from './text-session.js';
import { sampleToken, type DrawSpec } from './sample-token.js';
import { wordPiece, type Tokenizer } from './tokenizer.js';

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
  if (opts.maxTokens <= 0) return;
  const rng = createRandom(opts.seed);
  const promptIds = tokenizer.encode(prompt);
  const fed = [startToken(tokenizer), ...promptIds];
  // The step after the prompt's last token, and each one after it, draws the next token where the
  // model runs; a step function that does not draw leaves it to sampleToken here, with the same number.
  const next = async (id: number, state: Float32Array): Promise<{ id: number; state: Float32Array }> => {
    const d: DrawSpec = { temperature: opts.temperature, topK: opts.topK, u: rng.next() };
    const out = await step(id, state, d);
    return { id: out.drawn ?? sampleToken(out.probs, d, d.u), state: out.states };
  };
  let state = zeroState;
  for (const id of fed.slice(0, -1)) {
    if (isStopped()) return;
    state = (await step(id, state)).states;
  }
  if (isStopped()) return;
  let drawn = await next(fed[fed.length - 1]!, state);
  let prev = promptIds.length > 0 ? tokenizer.vocab[promptIds[promptIds.length - 1]!] : undefined;
  for (let n = 0; n < opts.maxTokens && !isStopped(); n++) {
    const tok = tokenizer.vocab[drawn.id]!;
    yield { id: drawn.id, text: tokenizer.kind === 'word' ? wordPiece(prev, tok) : tok };
    prev = tok;
    if (n + 1 === opts.maxTokens) return; // the last token needs no step after it
    drawn = await next(drawn.id, drawn.state);
  }
}
