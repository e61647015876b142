// One device's stream, assembled from the stages: validate -> reorder by seq -> convert to g ->
// (a) resample -> windows -> classify (shared batcher) -> smooth -> predictions, and
// (b) downsample -> batches of raw signal for dashboards.
// push() runs validation synchronously, so a caller learns of an invalid frame (through
// sinks.invalid) before push() returns.
import { Subject, filter, identity, merge, share, tap, type SchedulerLike } from 'rxjs';
import type { ProtocolLimits, Units } from '../../protocol/sensor-messages.js';
import type { ValidationError } from '../../protocol/validate-sensor.js';
import type { PipelineConfig } from '../config.js';
import { classifyWindows, type ClassifyFn } from './classify-windows.js';
import { convertToG } from './convert-units.js';
import { batchSignal, downsampleSignal } from './downsample-signal.js';
import { reorderBySeq, type ReorderOptions } from './reorder-by-seq.js';
import { gridPointsPerSample, resampleFrames } from './resample-frames.js';
import { slidingWindows } from './sliding-windows.js';
import { smoothProbabilities } from './smooth-probabilities.js';
import type { RawFrame, SensorWindow, SignalPoints, SmoothedWindow, TimedFrame } from './types.js';
import { validateFrames } from './validate-frames.js';

export interface DevicePipelineOptions {
  units: Units;
  /** The device's declared rate (hello.rateHz): bounds the grid points per sample. Default: limits.minRateHz. */
  rateHz?: number;
  limits: ProtocolLimits;
  pipeline: PipelineConfig;
  model: { windowSize: number; hop: number; rateHz: number };
  /** Dashboard signal: rate, batch interval, and whether anyone watches it now (else the branch is skipped per frame). */
  signal: { hz: number; intervalMs: number; wanted?: () => boolean };
  classify: ClassifyFn;
  /** Seq of the first frame (0 for devices; the protocol says so). */
  firstSeq?: number;
  scheduler?: SchedulerLike;
}

export interface DevicePipelineSinks {
  invalid(error: ValidationError): void;
  prediction(window: SmoothedWindow): void;
  signal(points: SignalPoints): void;
  /** A window could not be classified (OverloadedError, failed batch): it was dropped. */
  classifyFailed(err: unknown, window: SensorWindow): void;
  /** Each frame that passed validation and reordering, in the order the pipeline uses it, before unit conversion (recording). */
  accepted?(frame: TimedFrame): void;
  /** Frames dropped or seqs given up by reordering. */
  reorderDrop?: ReorderOptions['onDrop'];
  /** A stage or sink threw: the pipeline is over (a bug); the device should be disconnected. Called once. */
  crashed(err: unknown): void;
}

export class DevicePipeline {
  private readonly input = new Subject<RawFrame>();
  /** Resolves when every pushed frame has gone through (after close()). */
  readonly done: Promise<void>;

  constructor(opts: DevicePipelineOptions, sinks: DevicePipelineSinks) {
    const { pipeline, model } = opts;
    const frames$ = this.input.pipe(
      validateFrames(opts.limits, opts.units, sinks.invalid),
      reorderBySeq({
        maxWaitMs: pipeline.reorderWaitMs,
        maxPending: pipeline.reorderMaxFrames,
        firstSeq: opts.firstSeq ?? 0,
        scheduler: opts.scheduler,
        onDrop: sinks.reorderDrop,
      }),
      tap((frame) => sinks.accepted?.(frame)),
      convertToG(opts.units),
      share(),
    );
    const predictions$ = frames$.pipe(
      resampleFrames(model.rateHz, pipeline.maxGapMs, gridPointsPerSample(model.rateHz, opts.rateHz ?? opts.limits.minRateHz)),
      slidingWindows({ size: model.windowSize, hop: model.hop, truthMinAgreement: pipeline.truthMinAgreement }),
      classifyWindows(opts.classify, sinks.classifyFailed),
      smoothProbabilities(pipeline.smoothing),
      tap((w) => sinks.prediction(w)),
    );
    const wanted = opts.signal.wanted;
    const signal$ = frames$.pipe(
      // Thinning and batching a signal no dashboard watches is wasted work (and a timer per device).
      wanted ? filter(() => wanted()) : identity,
      downsampleSignal(opts.signal.hz),
      batchSignal(opts.signal.intervalMs, opts.scheduler),
      tap((s) => sinks.signal(s)),
    );
    this.done = new Promise<void>((resolve) => {
      merge(predictions$, signal$).subscribe({
        complete: resolve,
        error: (err: unknown) => {
          resolve();
          // Whatever the session does about it, nothing may escape from here (RxJS would rethrow it on a timer).
          try {
            sinks.crashed(err);
          } catch {
            // the session's own handler failed: the pipeline is over anyway
          }
        },
      });
    });
  }

  /** `seqOffset`: added to the frame's seq once it is valid (RawFrame.seqOffset). */
  push(value: unknown, receivedAt: number, seqOffset = 0): void {
    this.input.next(seqOffset === 0 ? { value, receivedAt } : { value, receivedAt, seqOffset });
  }

  /** No more frames: flushes what waits for reordering and resolves `done` once predictions are out. */
  close(): Promise<void> {
    this.input.complete();
    return this.done;
  }
}
