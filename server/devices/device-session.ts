// One streaming device, whatever the transport (WebSocket or Sensor Logger HTTP pushes): its
// registry entry, its pipeline, and the messages it produces. Predictions go to the device (via
// `send`) and to dashboards (via the registry); errors go to the device.
import type { DeviceInfo, ErrorCode, HelloMessage, PredictionMessage, ServerToDevice, WelcomeMessage } from '../../protocol/sensor-messages.js';
import type { ValidationError } from '../../protocol/validate-sensor.js';
import { OverloadedError } from '../batching/dynamic-batcher.js';
import type { ServerContext } from '../context.js';
import { DevicePipeline } from '../pipeline/device-pipeline.js';
import type { SensorWindow, SignalPoints, SmoothedWindow } from '../pipeline/types.js';

export interface DeviceSessionOptions {
  /** Where messages for the device go (the transport decides about encoding and throttling). */
  send: (message: ServerToDevice) => void;
  /** The pipeline failed (a bug): the transport should disconnect the device. */
  onCrash?: (err: unknown) => void;
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

export class DeviceSession {
  readonly info: DeviceInfo;
  /** The newest prediction (Sensor Logger responses report it). */
  lastPrediction: PredictionMessage | undefined;
  private readonly pipeline: DevicePipeline;
  private closing: Promise<void> | undefined;

  /** Registers the device and starts its pipeline, or says why it can't. */
  static open(hello: HelloMessage, ctx: ServerContext, opts: DeviceSessionOptions): { ok: true; session: DeviceSession } | { ok: false; error: ValidationError } {
    const info: DeviceInfo = { deviceId: hello.deviceId, rateHz: hello.rateHz, units: hello.units, connectedAt: Date.now() };
    if (hello.source !== undefined) info.source = hello.source;
    if (hello.hasLabels !== undefined) info.hasLabels = hello.hasLabels;
    if (hello.description !== undefined) info.description = hello.description;
    const claim = ctx.registry.claim(info);
    if (!claim.ok) return claim;
    return { ok: true, session: new DeviceSession(info, ctx, opts, claim.release) };
  }

  private constructor(
    info: DeviceInfo,
    private readonly ctx: ServerContext,
    private readonly opts: DeviceSessionOptions,
    private readonly release: () => void,
  ) {
    this.info = info;
    const { classifier } = ctx.inference;
    this.pipeline = new DevicePipeline(
      {
        units: info.units,
        limits: ctx.config.limits,
        pipeline: ctx.config.pipeline,
        model: { windowSize: classifier.windowSize, hop: classifier.hop, rateHz: classifier.rateHz },
        signal: { hz: ctx.config.dashboard.signalHz, intervalMs: ctx.config.dashboard.signalIntervalMs },
        classify: (w) => ctx.inference.classify(w),
      },
      {
        invalid: (e) => this.sendError(e.code, e.message, e.seq),
        prediction: (w) => this.publishPrediction(w),
        signal: (s) => this.publishSignal(s),
        classifyFailed: (err, w) => this.classifyFailed(err, w),
        reorderDrop: (d) => {
          if (d.kind === 'lost') return; // the device's own loss; windows just carry on
          const why = d.kind === 'late' ? 'is older than frames already processed (late or repeated)' : 'arrived twice';
          this.sendError('out-of-range', `frame seq ${d.seq} ${why}: dropped`, d.seq);
        },
        crashed: (err) => {
          this.sendError('internal', `the server failed to process this stream: ${err instanceof Error ? err.message : String(err)}`);
          this.opts.onCrash?.(err);
        },
      },
    );
  }

  /** What the device learns after its hello. */
  welcome(): WelcomeMessage {
    const { classifier } = this.ctx.inference;
    return {
      type: 'welcome',
      deviceId: this.info.deviceId,
      classes: [...classifier.classes],
      windowSize: classifier.windowSize,
      hop: classifier.hop,
      rateHz: classifier.rateHz,
      backend: this.ctx.backend,
      limits: { ...this.ctx.config.limits },
    };
  }

  /** Feeds one decoded `samples` message (validated inside the pipeline, synchronously). */
  push(value: unknown, receivedAt: number): void {
    if (this.closing) return;
    this.pipeline.push(value, receivedAt);
  }

  /** Leaves the device list and lets the pipeline finish what it holds. */
  close(): Promise<void> {
    if (!this.closing) {
      this.release();
      this.closing = this.pipeline.close();
    }
    return this.closing;
  }

  sendError(code: ErrorCode, message: string, seq?: number): void {
    this.ctx.stats.recordError(code);
    this.opts.send(seq === undefined ? { type: 'error', code, message } : { type: 'error', code, message, seq });
  }

  private publishPrediction(w: SmoothedWindow): void {
    const classes = this.ctx.inference.classifier.classes;
    const probs = new Array<number>(w.smoothed.length);
    let best = 0;
    for (let i = 0; i < probs.length; i++) {
      probs[i] = round(w.smoothed[i]!, 4);
      if (w.smoothed[i]! > w.smoothed[best]!) best = i;
    }
    const latencyMs = performance.now() - w.receivedAt;
    const message: PredictionMessage = {
      type: 'prediction',
      deviceId: this.info.deviceId,
      windowEnd: w.endT,
      probs,
      label: classes[best]!,
      latencyMs: round(latencyMs, 2),
    };
    if (w.truth !== undefined) message.truth = w.truth;
    this.lastPrediction = message;
    this.ctx.stats.recordPrediction(latencyMs);
    this.opts.send(message);
    this.ctx.registry.predictions$.next(message);
  }

  private publishSignal(s: SignalPoints): void {
    this.ctx.registry.signals$.next({ type: 'signal', deviceId: this.info.deviceId, ...s });
  }

  private classifyFailed(err: unknown, w: SensorWindow): void {
    if (err instanceof OverloadedError) {
      this.sendError('overloaded', `the inference queue is full: the window ending at t=${w.endT} was dropped`);
    } else {
      this.sendError('internal', `classifying the window ending at t=${w.endT} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
