// Fan-out as a device session sees it (PredictionSink): what was published, and a watch list
// the test sets (isWatched is asked per frame, so its answers are counted too).
import type { PredictionMessage, SignalMessage } from '../../../protocol/sensor-messages.js';
import type { PredictionSink } from '../../../server/fan-out/live-feed.js';

export class FakePredictionSink implements PredictionSink {
  readonly predictions: PredictionMessage[] = [];
  readonly signals: SignalMessage[] = [];
  /** Device ids dashboards watch now. */
  readonly watched = new Set<string>();
  isWatchedCalls = 0;
  /** Makes prediction() throw (a bug downstream of the pipeline). */
  failWith: Error | undefined;

  prediction(message: PredictionMessage): void {
    if (this.failWith) throw this.failWith;
    this.predictions.push(message);
  }

  signal(message: SignalMessage): void {
    this.signals.push(message);
  }

  isWatched(deviceId: string): boolean {
    this.isWatchedCalls++;
    return this.watched.has(deviceId);
  }
}
