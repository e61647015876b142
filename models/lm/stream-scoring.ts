// Scores a long token sequence with the incremental LSTM step, statefully: the text is cut
// into `streams` contiguous pieces that advance side by side, one batched step per position,
// so every prediction sees all earlier context of its piece (as a live session does), at the
// cost of one step per token.
import { ProgressBar } from '../../cli/progress.js';
import type { LstmStepper, StepResult } from './lstm-step.js';

export interface ScoreOptions {
  /** Sequences advanced together (bigger = faster, a few more cold starts). */
  streams?: number;
  /** Label for a progress bar on stderr; none when omitted. */
  progress?: string;
}

type Visit = (position: number, probs: Float32Array, stream: { index: number; start: number }, features: Float32Array | undefined) => void;

/**
 * Calls `visit(position, probs)` for every position except the first of each stream, where
 * `probs` is the model's distribution for ids[position] given the stream's earlier tokens.
 * `probs` (and `features`, the model's feature vector there: see StepResult) are only valid during the call. Stream `s` covers positions [s * length, (s + 1) * length).
 * Each step is read with data(), so it runs on every backend (webgpu cannot read synchronously).
 */
export async function scoreStreamsAsync(stepper: LstmStepper, ids: ArrayLike<number>, visit: Visit, opts: ScoreOptions = {}): Promise<void> {
  const run = streamRun(stepper, ids, visit, opts);
  let yielded = performance.now();
  for (let t = 0; run && t < run.steps; t++) {
    run.advance(t, await stepper.step(run.tokensAt(t), run.states));
    // On WASM data() resolves in a microtask, so the loop would hold the event loop for the whole
    // text: let timers and I/O (progress, a test runner's messages) run every 50 ms.
    if (performance.now() - yielded > 50) {
      await new Promise((resolve) => setImmediate(resolve));
      yielded = performance.now();
    }
  }
}

/** The streams' bookkeeping: tokens per step, states, visiting the results. */
function streamRun(stepper: LstmStepper, ids: ArrayLike<number>, visit: Visit, opts: ScoreOptions) {
  const streams = Math.max(1, Math.min(opts.streams ?? 64, Math.floor(ids.length / 2)));
  const length = Math.floor(ids.length / streams);
  if (length < 2) return undefined;
  const V = stepper.vocabSize;
  const F = stepper.featureSize;
  const tokens = new Int32Array(streams);
  const bar = opts.progress ? new ProgressBar({ total: (length - 1) * streams, label: opts.progress, unit: 'tokens' }) : undefined;
  const run = {
    steps: length - 1,
    states: new Float32Array(streams * stepper.stateSize) as Float32Array,
    tokensAt(t: number): Int32Array {
      for (let s = 0; s < streams; s++) tokens[s] = ids[s * length + t]!;
      return tokens;
    },
    advance(t: number, out: StepResult): void {
      run.states = out.states;
      for (let s = 0; s < streams; s++) {
        visit(s * length + t + 1, out.probs.subarray(s * V, (s + 1) * V), { index: s, start: s * length }, out.features?.subarray(s * F, (s + 1) * F));
      }
      bar?.tick(streams);
    },
  };
  return run;
}
