// Live server figures for dashboards' `stats` messages and /api/health: predictions per second,
// latency percentiles (last sample of a window arriving -> its prediction sent), error counts.
import type { ErrorCode } from '../../protocol/sensor-messages.js';
import { RateMeter } from './rate-meter.js';
import { RollingSamples, type Summary } from '../../lib/rolling-samples.js';

/** Told about every event as it is recorded (the Prometheus metrics listen here). */
export interface StatsObserver {
  frame?(samples: number): void;
  prediction?(latencyMs: number): void;
  error?(code: ErrorCode): void;
}

export class ServerStats {
  private readonly windowRate = new RateMeter(5);
  private readonly latency = new RollingSamples(2048);
  private predictionsTotal = 0;
  private framesTotal = 0;
  private samplesTotal = 0;
  private readonly errors = new Map<ErrorCode, number>();

  constructor(private readonly observer: StatsObserver = {}) {}

  recordFrame(samples: number): void {
    this.framesTotal++;
    this.samplesTotal += samples;
    this.observer.frame?.(samples);
  }

  recordPrediction(latencyMs: number): void {
    this.predictionsTotal++;
    this.windowRate.record();
    this.latency.add(latencyMs);
    this.observer.prediction?.(latencyMs);
  }

  recordError(code: ErrorCode): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
    this.observer.error?.(code);
  }

  windowsPerSec(): number {
    return this.windowRate.perSecond();
  }

  latencyMs(): Summary {
    return this.latency.summary();
  }

  totals(): { predictions: number; frames: number; samples: number; errors: Record<string, number> } {
    return { predictions: this.predictionsTotal, frames: this.framesTotal, samples: this.samplesTotal, errors: Object.fromEntries(this.errors) };
  }
}
