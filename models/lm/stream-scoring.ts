// Scores a long token sequence with the incremental LSTM step, statefully: the text is cut
// into `streams` contiguous pieces that advance side by side, one batched step per position,
// so every prediction sees all earlier context of its piece (as a live session does), at the
// cost of one step per token.
import { ProgressBar } from '../../cli/progress.js';
import type { LstmStepper } from './lstm-step.js';

export interface ScoreOptions {
  /** Sequences advanced together (bigger = faster, a few more cold starts). */
  streams?: number;
  /** Label for a progress bar on stderr; none when omitted. */
  progress?: string;
}

/**
 * Calls `visit(position, probs)` for every position except the first of each stream, where
 * `probs` is the model's distribution for ids[position] given the stream's earlier tokens.
 * `probs` is only valid during the call. Stream `s` covers positions [s * length, (s + 1) * length).
 */
export function scoreStreams(
  stepper: LstmStepper,
  ids: ArrayLike<number>,
  visit: (position: number, probs: Float32Array, stream: { index: number; start: number }) => void,
  opts: ScoreOptions = {},
): void {
  const streams = Math.max(1, Math.min(opts.streams ?? 64, Math.floor(ids.length / 2)));
  const length = Math.floor(ids.length / streams);
  if (length < 2) return;
  const V = stepper.vocabSize;
  let states: Float32Array = new Float32Array(streams * stepper.stateSize);
  const tokens = new Int32Array(streams);
  const bar = opts.progress ? new ProgressBar({ total: (length - 1) * streams, label: opts.progress, unit: 'tokens' }) : undefined;
  for (let t = 0; t < length - 1; t++) {
    for (let s = 0; s < streams; s++) tokens[s] = ids[s * length + t]!;
    const out = stepper.stepSync(tokens, states);
    states = out.states;
    for (let s = 0; s < streams; s++) visit(s * length + t + 1, out.probs.subarray(s * V, (s + 1) * V), { index: s, start: s * length });
    bar?.tick(streams);
  }
}
