// The inference role on the bus: answers `sensorium.har.classify` requests as a member of the
// `inference` queue group (protocol/bus-subjects.ts), so each window goes to one member and
// members share the load; each member's dynamic batcher batches across every gateway's windows.
// Requests are untrusted bytes from the wire: their shape is checked before the batcher sees them.
import { OverloadedError } from '../batching/dynamic-batcher.js';
import type { Bus, BusSubscription } from '../bus/bus.js';
import { HAR_CLASSIFY_SUBJECT, INFERENCE_QUEUE, type ClassifyReply } from '../../protocol/bus-subjects.js';
import { PLACEMENTS, type Placement } from '../../protocol/sensor-messages.js';
import type { WindowInference } from './window-inference.js';

export interface InferenceServiceOptions {
  /** Told about requests that could not be served (bad shape, model failure). */
  onError?: (err: Error) => void;
}

export class InferenceService {
  private readonly subscription: BusSubscription;
  /** Requests being answered: close() waits for them before the batcher may close. */
  private readonly answering = new Set<Promise<ClassifyReply>>();
  /** Requests answered, and refused for their shape. */
  served = 0;
  refused = 0;

  constructor(
    bus: Bus,
    private readonly inference: WindowInference,
    private readonly unavailable: () => string | undefined,
    private readonly opts: InferenceServiceOptions = {},
  ) {
    this.subscription = bus.subscribe(HAR_CLASSIFY_SUBJECT, (payload) => this.track(this.answer(payload)), { queue: INFERENCE_QUEUE, ...(opts.onError ? { onError: opts.onError } : {}) });
  }

  private track(reply: Promise<ClassifyReply>): Promise<ClassifyReply> {
    this.answering.add(reply);
    const done = () => void this.answering.delete(reply);
    reply.then(done, done);
    return reply;
  }

  private async answer(payload: unknown): Promise<ClassifyReply> {
    const why = this.unavailable();
    if (why !== undefined) return { error: { code: 'model-unavailable', message: why } };
    const request = parseClassifyRequest(payload, this.inference.model.windowSize * 3);
    if (typeof request === 'string') {
      this.refused++;
      return { error: { code: 'invalid', message: request } };
    }
    try {
      const r = await this.inference.classifyWithFeatures(request.window, request.deviceId, request.placement);
      this.served++;
      // Views into the batch's arrays: copied so the reply holds just this window's values.
      return r.features ? { probs: r.probs.slice(), features: r.features.slice() } : { probs: r.probs.slice() };
    } catch (err) {
      if (err instanceof OverloadedError) return { error: { code: 'overloaded', message: err.message } };
      this.opts.onError?.(err instanceof Error ? err : new Error(String(err)));
      return { error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } };
    }
  }

  /**
   * Leaves the queue group gracefully: takes no new request, and resolves once those already
   * routed here are answered (so the batcher can close without failing any).
   */
  async close(): Promise<void> {
    await this.subscription.drain();
    while (this.answering.size > 0) await Promise.allSettled([...this.answering]);
  }
}

/** A classify request's fields, or why it is not one. */
export function parseClassifyRequest(payload: unknown, windowValues: number): { deviceId: string; window: Float32Array; placement?: Placement } | string {
  if (typeof payload !== 'object' || payload === null) return 'a classify request is an object';
  const { deviceId, window, placement } = payload as Record<string, unknown>;
  if (typeof deviceId !== 'string' || deviceId.length === 0 || deviceId.length > 200) return 'deviceId must be a non-empty string';
  if (!(window instanceof Float32Array)) return 'window must be a Float32Array';
  if (window.length !== windowValues) return `window must hold ${windowValues} values (got ${window.length})`;
  if (placement !== undefined && !(PLACEMENTS as readonly unknown[]).includes(placement)) return `placement must be one of ${PLACEMENTS.join(', ')}`;
  return placement === undefined ? { deviceId, window } : { deviceId, window, placement: placement as Placement };
}
