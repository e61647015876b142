// LSTM steps of every session of one model, batched through the shared dynamic batcher: each
// session submits (token, state) and gets (probs, state, features) back, while the model runs one step
// for all sessions waiting at that moment. A generation's step asks for a draw instead: it gets the
// drawn token and its state, and no probabilities are copied for it.
import { DynamicBatcher, type BatcherStats } from '../batching/dynamic-batcher.js';
import type { StepModel } from '../../models/lm/lstm-step.js';
import type { DrawSpec } from '../../models/lm/sample-token.js';
import type { SequenceStep, StepOne } from '../../models/lm/text-session.js';

interface StepItem {
  token: number;
  state: Float32Array;
  draw: DrawSpec | null;
}

const NO_PROBS = new Float32Array(0);

export class StepBatcher {
  private readonly batcher: DynamicBatcher<StepItem, SequenceStep>;

  constructor(
    readonly stepper: StepModel,
    opts: { maxBatch: number; maxDelayMs: number; maxQueue: number },
  ) {
    this.batcher = new DynamicBatcher<StepItem, SequenceStep>({ ...opts, run: (items) => this.run(items) });
  }

  /** One step of one sequence; rejects with OverloadedError when the queue is full. */
  readonly step: StepOne = (token, state, draw) => this.batcher.submit({ token, state, draw: draw ?? null });

  stats(): BatcherStats {
    return this.batcher.stats();
  }

  close(): Promise<void> {
    return this.batcher.close();
  }

  private async run(items: readonly StepItem[]): Promise<SequenceStep[]> {
    const S = this.stepper.stateSize;
    const V = this.stepper.vocabSize;
    const states = new Float32Array(items.length * S);
    items.forEach((it, i) => states.set(it.state, i * S));
    const draws = items.some((it) => it.draw) ? items.map((it) => it.draw) : undefined;
    const out = await this.stepper.step(
      items.map((it) => it.token),
      states,
      draws,
    );
    const F = this.stepper.featureSize;
    // Copies, so that each session owns its rows and the batch buffers can be collected.
    return items.map((it, i) => {
      const drawn = it.draw ? out.drawnIds?.[i] : undefined;
      const rowStates = out.states.slice(i * S, (i + 1) * S);
      // A row that drew needs its state alone (a stepper that cannot draw gives its probabilities instead).
      if (drawn !== undefined && drawn >= 0) return { probs: NO_PROBS, states: rowStates, drawn };
      return {
        probs: out.probs.slice(i * V, (i + 1) * V),
        states: rowStates,
        ...(out.features ? { features: out.features.slice(i * F, (i + 1) * F) } : {}),
      };
    });
  }
}
