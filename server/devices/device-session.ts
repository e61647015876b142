// One streaming device, whatever the transport (WebSocket or Sensor Logger HTTP pushes): its
// registry entry, its pipeline, its recording, and the messages it produces. Predictions go to
// the device (via `send`) and to dashboards (via the registry); errors go to the device.
// A WebSocket device that disconnects can be re-attached to a new connection (session-store.ts):
// the pipeline (reorder, resampler, window buffer, smoothing) goes on where it was, the new
// connection's seq numbers (from 0 again, as the protocol says) are shifted to follow the old
// ones, and predictions made while it was away are delivered on return.
import type { DeviceInfo, ErrorCode, HelloMessage, PredictionMessage, ProtocolLimits, ServerToDevice, WelcomeMessage } from '../../protocol/sensor-messages.js';
import type { ValidationError } from '../../protocol/validate-sensor.js';
import { OverloadedError } from '../batching/dynamic-batcher.js';
import { DeviceCalibration } from '../calibration/device-calibration.js';
import type { PersonalModels } from '../calibration/personal-models.js';
import type { PipelineConfig } from '../config.js';
import type { PredictionSink } from '../fan-out/live-feed.js';
import type { WindowInference } from '../inference/window-inference.js';
import type { Log } from '../log.js';
import { DevicePipeline } from '../pipeline/device-pipeline.js';
import type { SensorWindow, SignalPoints, SmoothedWindow } from '../pipeline/types.js';
import type { RecordingWriter } from '../recording/recording-writer.js';
import type { DeviceClaims } from './device-registry.js';

/** Where a session's recording goes (RecordingManager). */
export interface SessionRecordings {
  /** Every session records from its start (--record-all). */
  readonly recordAll: boolean;
  open(info: DeviceInfo): RecordingWriter;
}

/** What a session counts (ServerStats). */
export interface SessionStats {
  recordError(code: ErrorCode): void;
  recordPrediction(latencyMs: number): void;
}

/** Everything a device session uses, each part through its narrow interface. */
export interface DeviceSessionDeps {
  claims: DeviceClaims;
  inference: WindowInference;
  personal: PersonalModels;
  fanOut: PredictionSink;
  recordings: SessionRecordings;
  stats: SessionStats;
  log: Log;
  /** The tfjs backend (told in the welcome). */
  backend: string;
  limits: ProtocolLimits;
  pipeline: PipelineConfig;
  /** The dashboards' signal: rate and how often it is sent. */
  signal: { hz: number; intervalMs: number };
}

export interface DeviceSessionOptions {
  /**
   * Where messages for the device go (the transport decides about encoding and throttling).
   * Returns false when the connection is gone (a prediction is then held for a reconnect).
   */
  send: (message: ServerToDevice) => boolean | void;
  /** The pipeline failed (a bug): the transport should disconnect the device. */
  onCrash?: (err: unknown) => void;
}

/** A prediction held for a reconnect, and whether it was handed to an open connection. */
export interface HeldPrediction {
  message: PredictionMessage;
  sent: boolean;
}

/** Predictions kept for a device that reconnects (the newest ones). */
export const MAX_HELD_PREDICTIONS = 64;

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

export class DeviceSession {
  readonly info: DeviceInfo;
  /** The newest prediction (Sensor Logger responses report it). */
  lastPrediction: PredictionMessage | undefined;
  private readonly pipeline: DevicePipeline;
  private closing: Promise<void> | undefined;
  private opts: DeviceSessionOptions | undefined;
  /** The newest predictions, each marked whether it was handed to an open connection. */
  private recent: HeldPrediction[] = [];
  /** Bumped with every prediction: a snapshot of the session needs saving only when it changed. */
  version = 0;
  /** Added to the seq of the current connection's frames. */
  private seqBase = 0;
  /** Highest (shifted) seq received so far, -1 before any. */
  private maxSeq = -1;
  private recorder: RecordingWriter | undefined;
  /** Personal calibration: its head classifies this device's windows once it has one. */
  readonly calibration: DeviceCalibration;

  /**
   * Registers the device and starts its pipeline, or says why it can't. `carried`: the predictions
   * its session held on another gateway (resume after that gateway went away), delivered like a
   * reconnect's (deliverMissed).
   */
  static open(
    hello: HelloMessage,
    deps: DeviceSessionDeps,
    opts: DeviceSessionOptions,
    carried?: readonly HeldPrediction[],
  ): { ok: true; session: DeviceSession } | { ok: false; error: ValidationError } {
    const info: DeviceInfo = { deviceId: hello.deviceId, rateHz: hello.rateHz, units: hello.units, placement: hello.placement ?? 'unknown', connectedAt: Date.now() };
    if (hello.source !== undefined) info.source = hello.source;
    if (hello.hasLabels !== undefined) info.hasLabels = hello.hasLabels;
    if (hello.description !== undefined) info.description = hello.description;
    const claim = deps.claims.claim(info);
    if (!claim.ok) return claim;
    try {
      const session = new DeviceSession(info, deps, opts, claim.release);
      if (carried) session.recent = carried.slice(-MAX_HELD_PREDICTIONS).map((h) => ({ message: h.message, sent: h.sent }));
      return { ok: true, session };
    } catch (err) {
      // E.g. its recording cannot be opened: the device slot must not stay claimed (`id-in-use` forever).
      claim.release();
      deps.log.error({ deviceId: info.deviceId, err }, 'device session failed to start');
      return { ok: false, error: { code: 'internal', message: `the server could not start the session: ${err instanceof Error ? err.message : String(err)}` } };
    }
  }

  private constructor(
    info: DeviceInfo,
    private readonly deps: DeviceSessionDeps,
    opts: DeviceSessionOptions,
    private readonly release: () => void,
  ) {
    this.info = info;
    this.opts = opts;
    const { model } = deps.inference;
    this.calibration = new DeviceCalibration({ info, inference: deps.inference, personal: deps.personal, send: (m) => this.opts?.send(m), log: (m) => deps.log.info({ deviceId: info.deviceId }, m) });
    this.pipeline = new DevicePipeline(
      {
        units: info.units,
        rateHz: info.rateHz,
        limits: deps.limits,
        pipeline: deps.pipeline,
        model: { windowSize: model.windowSize, hop: model.hop, rateHz: model.rateHz },
        signal: { ...deps.signal, wanted: () => deps.fanOut.isWatched(info.deviceId) },
        classify: (w) => this.calibration.classify(w),
      },
      {
        invalid: (e) => this.sendError(e.code, e.message, e.seq),
        accepted: (frame) => {
          this.recorder?.append(frame);
          this.calibration.observeFrame(frame);
        },
        prediction: (w) => this.publishPrediction(w),
        signal: (s) => this.publishSignal(s),
        classifyFailed: (err, w) => this.classifyFailed(err, w),
        reorderDrop: (d) => {
          if (d.kind === 'lost') return; // the device's own loss; windows just carry on
          const why = d.kind === 'late' ? 'is older than frames already processed (late or repeated)' : 'arrived twice';
          // Reordering sees the session's numbering: tell the device its own (none for an earlier connection's frame).
          const local = d.seq - this.seqBase;
          this.sendError('out-of-range', `frame seq ${local} ${why}: dropped`, local >= 0 ? local : undefined);
        },
        crashed: (err) => {
          // A bug in a stage: this device's stream is over, the others go on.
          deps.log.error({ deviceId: info.deviceId, err }, 'device pipeline failed: closing the device');
          this.sendError('internal', `the server failed to process this stream: ${err instanceof Error ? err.message : String(err)}`);
          void this.close(); // leaves the device list; its transport is told next
          this.opts?.onCrash?.(err);
        },
      },
    );
    if (deps.recordings.recordAll) {
      try {
        this.startRecording();
      } catch (err) {
        void this.pipeline.close();
        this.calibration.close(); // its stored head may still be loading: it must not speak for a session that never started
        throw err;
      }
    }
  }

  /** What the device learns after its hello. */
  welcome(resumed = false): WelcomeMessage {
    const { model } = this.deps.inference;
    const message: WelcomeMessage = {
      type: 'welcome',
      deviceId: this.info.deviceId,
      classes: [...model.classes],
      windowSize: model.windowSize,
      hop: model.hop,
      rateHz: model.rateHz,
      backend: this.deps.backend,
      limits: { ...this.deps.limits },
    };
    if (resumed) message.resumed = true;
    return message;
  }

  get attached(): boolean {
    return this.opts !== undefined;
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** When the device's session began (ms since the epoch): under overload the newest are shed first. */
  get connectedAt(): number {
    return this.info.connectedAt;
  }

  /** Can a device saying `hello` continue this session? (Same units and rate.) */
  compatibleWith(hello: HelloMessage): boolean {
    return hello.units === this.info.units && hello.rateHz === this.info.rateHz;
  }

  /** The connection went away: predictions are kept (the newest MAX_HELD_PREDICTIONS) until one re-attaches. */
  detach(): void {
    this.opts = undefined;
  }

  /** A new connection of the same device takes over; its seq numbers start again at 0. */
  attach(opts: DeviceSessionOptions): void {
    this.opts = opts;
    this.seqBase = this.maxSeq + 1;
    this.recorder?.markResumed();
  }

  /**
   * After the welcome of a resumed connection: sends the predictions the device has not seen —
   * those after `lastWindowEnd` when the device says which it saw last, else those that could
   * not be handed to the old connection at all.
   */
  deliverMissed(lastWindowEnd?: number): void {
    const missed = this.recent.filter((r) => (lastWindowEnd === undefined ? !r.sent : r.message.windowEnd > lastWindowEnd));
    for (const r of missed) r.sent = this.opts?.send(r.message) !== false;
  }

  /** The predictions held for a reconnect (the newest MAX_HELD_PREDICTIONS), for a snapshot of the session. */
  held(): HeldPrediction[] {
    return this.recent.map((r) => ({ message: r.message, sent: r.sent }));
  }

  /** Feeds one decoded `samples` message (validated inside the pipeline, synchronously). */
  push(value: unknown, receivedAt: number): void {
    if (this.closing) return;
    // The frame keeps the seq the device sent; the pipeline moves it past the earlier connections' once it is valid.
    const seq = (value as { seq?: unknown } | null)?.seq;
    if (typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0 && seq + this.seqBase > this.maxSeq) this.maxSeq = seq + this.seqBase;
    this.pipeline.push(value, receivedAt, this.seqBase);
  }

  /**
   * Leaves the device list and lets the pipeline finish what it holds (its predictions still go
   * out). Never rejects: callers fire and forget it, and a recording that fails to close is logged.
   */
  close(): Promise<void> {
    if (!this.closing) {
      this.release();
      this.closing = this.pipeline
        .close()
        .then(() => this.calibration.close())
        .then(() => this.stopRecording('session ended'))
        .then(
          () => undefined,
          (err: unknown) => this.deps.log.error({ deviceId: this.info.deviceId, err }, 'ending the device session failed'),
        );
    }
    return this.closing;
  }

  /** Starts recording this session's accepted frames (no-op when it is recording already). */
  startRecording(): { recording: RecordingWriter; started: boolean } {
    if (this.recorder?.active) return { recording: this.recorder, started: false };
    this.recorder = this.deps.recordings.open(this.info);
    return { recording: this.recorder, started: true };
  }

  get recording(): RecordingWriter | undefined {
    return this.recorder?.active ? this.recorder : undefined;
  }

  /** Stops recording (flushes and closes the file); undefined when it was not recording. */
  async stopRecording(reason = 'stopped'): Promise<RecordingWriter | undefined> {
    const r = this.recording;
    this.recorder = undefined;
    await r?.close(reason);
    return r;
  }

  /** `seq`: the frame's seq as this connection sent it. */
  sendError(code: ErrorCode, message: string, seq?: number): void {
    this.deps.stats.recordError(code);
    this.opts?.send(seq === undefined ? { type: 'error', code, message } : { type: 'error', code, message, seq });
  }

  private publishPrediction(w: SmoothedWindow): void {
    const classes = this.deps.inference.model.classes;
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
    message.source = this.calibration.published(w);
    this.lastPrediction = message;
    this.deps.stats.recordPrediction(latencyMs);
    const sent = this.opts ? this.opts.send(message) !== false : false;
    if (!this.closing) {
      this.recent.push({ message, sent });
      this.version++;
      if (this.recent.length > MAX_HELD_PREDICTIONS) this.recent.shift();
    }
    this.deps.fanOut.prediction(message);
  }

  private publishSignal(s: SignalPoints): void {
    this.deps.fanOut.signal({ type: 'signal', deviceId: this.info.deviceId, ...s });
  }

  private classifyFailed(err: unknown, w: SensorWindow): void {
    if (err instanceof OverloadedError) {
      this.sendError('overloaded', `the inference queue is full: the window ending at t=${w.endT} was dropped`);
    } else {
      this.sendError('internal', `classifying the window ending at t=${w.endT} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
