// A WindowInference (server/inference/window-inference.ts) with a tiny model shape: every window
// gets `answer` (fixed probabilities by default, or an error to reject with), at once or — while
// `holding` — only when release() is called, like a batch that is slow to come back.
import type { BatcherStats } from '../../../server/batching/dynamic-batcher.js';
import type { ModelShape, WindowInference, WindowResult } from '../../../server/inference/window-inference.js';
import type { Placement } from '../../../protocol/sensor-messages.js';

/** 10 samples at 50 Hz per window, a window every 10 samples: a prediction per 200 ms of signal. */
export const TINY_MODEL: ModelShape = { classes: ['walking', 'sitting', 'lying'], windowSize: 10, hop: 10, rateHz: 50 };

/** What FakeInference answers unless told otherwise: 'sitting' wins. */
export const FIXED_PROBS = Float32Array.of(0.2, 0.7, 0.1);

export interface InferenceCall {
  window: Float32Array;
  deviceId: string | undefined;
  placement: Placement | undefined;
}

export class FakeInference implements WindowInference {
  readonly calls: InferenceCall[] = [];
  /** Each window's answer (by call index): probabilities, or an error to reject with. */
  answer: (call: number) => Float32Array | Error = () => FIXED_PROBS;
  /** While true, windows wait for release(). */
  holding = false;
  private waiting: (() => void)[] = [];

  constructor(readonly model: ModelShape = TINY_MODEL) {}

  classifyWithFeatures(window: Float32Array, deviceId?: string, placement?: Placement): Promise<WindowResult> {
    const call = this.calls.push({ window, deviceId, placement }) - 1;
    const settle = (): Promise<WindowResult> => {
      const a = this.answer(call);
      return a instanceof Error ? Promise.reject(a) : Promise.resolve({ probs: a.slice() });
    };
    if (!this.holding) return settle();
    return new Promise<void>((resolve) => this.waiting.push(resolve)).then(settle);
  }

  /** Lets every held window through, and the next ones at once. */
  release(): void {
    this.holding = false;
    for (const go of this.waiting.splice(0)) go();
  }

  get queueDepth(): number {
    return this.waiting.length;
  }

  stats(): BatcherStats {
    throw new Error('FakeInference: batcher stats are not part of what these tests fake');
  }
}
