// The counters sessions and connections write (SessionStats, DeviceConnectionDeps['stats']), kept in arrays.
import type { ErrorCode } from '../../../protocol/sensor-messages.js';

export class FakeStats {
  readonly errors: ErrorCode[] = [];
  readonly latenciesMs: number[] = [];
  /** Samples per accepted frame. */
  readonly frames: number[] = [];

  recordError(code: ErrorCode): void {
    this.errors.push(code);
  }

  recordPrediction(latencyMs: number): void {
    this.latenciesMs.push(latencyMs);
  }

  recordFrame(samples: number): void {
    this.frames.push(samples);
  }
}
