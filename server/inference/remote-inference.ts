// WindowInference over the bus, for gateways: each window is a request on
// `sensorium.har.classify`, answered by one member of the `inference` queue group. A member that
// dies or stalls costs a timeout, then the window goes to another member (the queue group picks
// among those still subscribed), until the window's deadline. While the bus is down, requests
// retry briefly; past the deadline, or beyond maxInFlight windows waiting, the window is refused
// with OverloadedError, which devices see as `overloaded` (the same as a full local queue).
import { setTimeout as sleep } from 'node:timers/promises';
import { OverloadedError, type BatcherStats } from '../batching/dynamic-batcher.js';
import { BusDisconnectedError, BusNoRespondersError, BusOverloadedError, BusTimeoutError, type Bus } from '../bus/bus.js';
import { HAR_CLASSIFY_SUBJECT, type ClassifyReply, type ClassifyRequest } from '../../protocol/bus-subjects.js';
import type { Placement } from '../../protocol/sensor-messages.js';
import { RollingSamples } from '../../lib/rolling-samples.js';
import type { ModelShape, WindowInference, WindowResult } from './window-inference.js';

export interface RemoteInferenceOptions {
  /** How long one member may take to answer before the window goes to another, ms. */
  requestTimeoutMs: number;
  /** How long a window may wait in all (retries included) before it is refused, ms. */
  deadlineMs: number;
  /** Windows waiting for replies at most; more are refused at once (the gateway's queue). */
  maxInFlight: number;
  /** Pause before retrying while no member answers or the bus is down, ms. */
  retryDelayMs?: number;
}

/** The model's shape as inference members announce it (ClusterView.model). */
export type ModelSource = () => ModelShape | undefined;

export class RemoteInference implements WindowInference {
  private inFlight = 0;
  private completed = 0;
  private overloaded = 0;
  private failed = 0;
  /** Windows that needed a second member (their first timed out or had no responder). */
  retried = 0;
  private readonly roundTrip = new RollingSamples(1024);

  constructor(
    private readonly bus: Bus,
    private readonly modelSource: ModelSource,
    private readonly opts: RemoteInferenceOptions,
  ) {}

  /** The announced model; throws while no inference member has been heard (callers check ready first). */
  get model(): ModelShape {
    const m = this.modelSource();
    if (!m) throw new Error('no inference member has announced its model yet');
    return m;
  }

  /** Whether a member has announced the model (devices are refused until then). */
  get ready(): boolean {
    return this.modelSource() !== undefined;
  }

  get queueDepth(): number {
    return this.inFlight;
  }

  async classifyWithFeatures(window: Float32Array, deviceId = 'unknown', placement?: Placement): Promise<WindowResult> {
    if (this.inFlight >= this.opts.maxInFlight) {
      this.overloaded++;
      throw new OverloadedError(this.inFlight, this.opts.maxInFlight);
    }
    this.inFlight++;
    const started = performance.now();
    try {
      const request: ClassifyRequest = placement === undefined ? { deviceId, window } : { deviceId, window, placement };
      const result = await this.ask(request, started + this.opts.deadlineMs);
      this.completed++;
      this.roundTrip.add(performance.now() - started);
      return result;
    } catch (err) {
      if (err instanceof OverloadedError) this.overloaded++;
      else this.failed++;
      throw err;
    } finally {
      this.inFlight--;
    }
  }

  private async ask(request: ClassifyRequest, deadline: number): Promise<WindowResult> {
    for (let attempt = 0; ; attempt++) {
      const left = deadline - performance.now();
      if (left <= 0) throw new OverloadedError(this.inFlight, this.opts.maxInFlight);
      if (attempt === 1) this.retried++;
      let reply: unknown;
      try {
        reply = await this.bus.request(HAR_CLASSIFY_SUBJECT, request, { timeoutMs: Math.min(this.opts.requestTimeoutMs, left) });
      } catch (err) {
        // A member gone or busy (timeout), none up yet, or the bus down: try again until the deadline.
        if (err instanceof BusTimeoutError) continue;
        if (err instanceof BusNoRespondersError || err instanceof BusDisconnectedError || err instanceof BusOverloadedError) {
          await sleep(Math.min(this.opts.retryDelayMs ?? 50, Math.max(0, deadline - performance.now())));
          continue;
        }
        throw err;
      }
      return resultOf(reply, this.model.classes.length, this.inFlight, this.opts.maxInFlight);
    }
  }

  stats(): BatcherStats {
    const rt = this.roundTrip.summary();
    return {
      batches: 0,
      completed: this.completed,
      failed: this.failed,
      overloaded: this.overloaded,
      overShare: 0,
      queueDepth: this.inFlight,
      // Batching happens in the inference members: their /api/health tells their batch sizes.
      meanBatch: 0,
      batchSizeHistogram: [],
      queueWaitMs: { count: 0, mean: 0, p50: 0, p99: 0 },
      runMs: rt,
    };
  }
}

/** A member's reply as a WindowResult, or the error it stands for. */
function resultOf(reply: unknown, classes: number, inFlight: number, maxInFlight: number): WindowResult {
  const r = reply as Partial<Extract<ClassifyReply, { probs: Float32Array }>> & Partial<Extract<ClassifyReply, { error: unknown }>>;
  if (r && typeof r === 'object' && r.error && typeof r.error === 'object') {
    if (r.error.code === 'overloaded') throw new OverloadedError(inFlight, maxInFlight);
    throw new Error(`inference member: ${String(r.error.message).slice(0, 200)}`);
  }
  if (!r || !(r.probs instanceof Float32Array) || r.probs.length !== classes) throw new Error('inference member sent a malformed reply');
  const result: WindowResult = { probs: r.probs };
  if (r.features instanceof Float32Array) result.features = r.features;
  return result;
}
