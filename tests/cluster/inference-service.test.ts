// An inference member on the bus on its own: it answers windows from its batcher, and leaving the
// queue group gracefully answers every window already routed to it before it returns, so the
// batcher behind it can close without failing any (a SIGTERM under load used to fail the windows
// in flight with `internal`).
import { afterEach, describe, expect, it } from 'vitest';
import { HAR_CLASSIFY_SUBJECT } from '../../protocol/bus-subjects.js';
import type { BatcherStats } from '../../server/batching/dynamic-batcher.js';
import { MemoryBus } from '../../server/bus/memory-bus.js';
import { InferenceService } from '../../server/inference/inference-service.js';
import type { WindowInference, WindowResult } from '../../server/inference/window-inference.js';

/** A batcher that answers each window after `delayMs`, and fails what is still queued once closed. */
class SlowInference implements WindowInference {
  readonly model = { classes: ['a', 'b'], windowSize: 4, hop: 2, rateHz: 50 };
  closed = false;
  failedByClose = 0;
  constructor(private readonly delayMs: number) {}
  classifyWithFeatures(): Promise<WindowResult> {
    return new Promise((resolve, reject) =>
      setTimeout(() => {
        if (this.closed) {
          this.failedByClose++;
          reject(new Error('the batcher was closed before this item ran'));
        } else resolve({ probs: Float32Array.of(0.5, 0.5) });
      }, this.delayMs),
    );
  }
  stats(): BatcherStats {
    return {} as BatcherStats;
  }
  queueDepth = 0;
}

describe('InferenceService', () => {
  const buses: MemoryBus[] = [];
  afterEach(async () => {
    for (const b of buses.splice(0)) await b.close();
  });

  it('leaving gracefully answers every window already routed here before the batcher closes', async () => {
    const bus = new MemoryBus({ onError: () => {} });
    buses.push(bus);
    const inference = new SlowInference(50);
    const service = new InferenceService(bus, inference, () => undefined);
    const replies = Array.from({ length: 20 }, (_, i) => bus.request(HAR_CLASSIFY_SUBJECT, { deviceId: `d${i}`, window: new Float32Array(12) }, { timeoutMs: 2_000 }));
    await new Promise((r) => setTimeout(r, 5)); // all routed to the member
    await service.close();
    inference.closed = true; // what the server does next
    const answered = (await Promise.all(replies)) as { probs?: Float32Array }[];
    expect(answered.every((r) => r.probs instanceof Float32Array)).toBe(true);
    expect(inference.failedByClose).toBe(0);
    expect(service.served).toBe(20);
  });
});
