// LSTM steps of every session of one model, batched through the shared dynamic batcher: each
// session submits (token, state) and gets (probs, state, features) back, while the model runs one step
// for all sessions waiting at that moment.
import { DynamicBatcher, type BatcherStats } from '../batching/dynamic-batcher.js';
import type { StepModel, StepResult } from '../../models/lm/lstm-step.js';
import type { StepOne } from '../../models/lm/text-session.js';

interface StepItem {
  token: number;
  state: Float32Array;
}

export class StepBatcher {
  private readonly batcher: DynamicBatcher<StepItem, StepResult>;

  constructor(
    readonly stepper: StepModel,
    opts: { maxBatch: number; maxDelayMs: number; maxQueue: number },
  ) {
    this.batcher = new DynamicBatcher<StepItem, StepResult>({ ...opts, run: (items) => this.run(items) });
  }

  /** One step of one sequence; rejects with OverloadedError when the queue is full. */
  readonly step: StepOne = (token, state) => this.batcher.submit({ token, state });

  stats(): BatcherStats {
    return this.batcher.stats();
  }

  close(): Promise<void> {
    return this.batcher.close();
  }

  private async run(items: readonly StepItem[]): Promise<StepResult[]> {
    const S = this.stepper.stateSize;
    const V = this.stepper.vocabSize;
    const states = new Float32Array(items.length * S);
    items.forEach((it, i) => states.set(it.state, i * S));
    const out = await this.stepper.step(
      items.map((it) => it.token),
      states,
    );
    const F = this.stepper.featureSize;
    // Copies, so that each session owns its rows and the batch buffers can be collected.
    return items.map((_, i) => ({
      probs: out.probs.slice(i * V, (i + 1) * V),
      states: out.states.slice(i * S, (i + 1) * S),
      ...(out.features ? { features: out.features.slice(i * F, (i + 1) * F) } : {}),
    }));
  }
}
