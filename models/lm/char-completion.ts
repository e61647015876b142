// Word completions from a character model: a small beam search over the next characters until
// the word ends (a character that is not a letter, digit or apostrophe). Each beam step is one
// batched LSTM step for all live beams. A completion's probability includes the word ending.
import type { StepResult } from './lstm-step.js';
import type { Suggestion } from './word-completion.js';
import type { Tokenizer } from './tokenizer.js';

export type StepFn = (tokens: number[], states: Float32Array) => Promise<StepResult>;

export interface BeamOptions {
  k: number;
  /** Live beams kept per step. */
  beam?: number;
  /** Characters added at most. */
  maxChars?: number;
}

const WORD_CHAR = /^[\p{L}\p{N}']$/u;

interface Beam {
  logp: number;
  text: string;
  probs: Float32Array;
  state: Float32Array;
}

/**
 * Completions of `prefix` (already fed to the model: `probs` and `state` are after its last
 * character). Returns up to `k` words, most probable first.
 */
export async function completeWithChars(step: StepFn, tokenizer: Tokenizer, prefix: string, probs: Float32Array, state: Float32Array, opts: BeamOptions): Promise<Suggestion[]> {
  const width = opts.beam ?? Math.max(3, opts.k);
  const maxChars = opts.maxChars ?? 12;
  const isWordChar = tokenizer.vocab.map((t) => WORD_CHAR.test(t));
  const finished: Suggestion[] = [];
  let live: Beam[] = [{ logp: 0, text: '', probs, state }];
  for (let n = 0; n <= maxChars && live.length > 0; n++) {
    const candidates: { parent: Beam; id: number; logp: number }[] = [];
    for (const b of live) {
      let endMass = 0;
      b.probs.forEach((p, id) => {
        if (id === 0) return;
        if (isWordChar[id]) candidates.push({ parent: b, id, logp: b.logp + Math.log(Math.max(p, 1e-30)) });
        else endMass += p;
      });
      const word = prefix + b.text;
      if (word.length > 0 && b.text.length > 0 && endMass > 0) finished.push({ word, p: Math.exp(b.logp) * endMass });
    }
    finished.sort((a, b) => b.p - a.p);
    if (finished.length > opts.k) finished.length = opts.k;
    candidates.sort((a, b) => b.logp - a.logp);
    const kept = candidates.slice(0, width);
    // Stop when no live beam can beat the k-th finished word any more.
    const floor = finished.length === opts.k ? Math.log(finished[opts.k - 1]!.p) : -Infinity;
    const alive = kept.filter((c) => c.logp > floor);
    if (alive.length === 0 || n === maxChars) break;
    const S = state.length;
    const states = new Float32Array(alive.length * S);
    alive.forEach((c, i) => states.set(c.parent.state, i * S));
    const out = await step(
      alive.map((c) => c.id),
      states,
    );
    const V = tokenizer.size;
    live = alive.map((c, i) => ({
      logp: c.logp,
      text: c.parent.text + tokenizer.vocab[c.id],
      probs: out.probs.slice(i * V, (i + 1) * V),
      state: out.states.slice(i * S, (i + 1) * S),
    }));
  }
  return finished;
}
