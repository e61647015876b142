// A gateway's client of the inference members on its own, over the in-process bus: replies become
// probabilities, a member that does not answer costs one request timeout and the window goes to
// another, no member yet means waiting until the deadline, and every refusal is an OverloadedError
// (what devices see as `overloaded`).
import { afterEach, describe, expect, it } from 'vitest';
import { HAR_CLASSIFY_SUBJECT, INFERENCE_QUEUE } from '../../protocol/bus-subjects.js';
import { OverloadedError } from '../../server/batching/dynamic-batcher.js';
import { MemoryBus } from '../../server/bus/memory-bus.js';
import { RemoteInference } from '../../server/inference/remote-inference.js';

const MODEL = { classes: ['a', 'b'], windowSize: 4, hop: 2, rateHz: 50 };
const window = () => new Float32Array(12);

describe('RemoteInference', () => {
  const buses: MemoryBus[] = [];
  afterEach(async () => {
    for (const b of buses.splice(0)) await b.close();
  });
  const setup = (opts: Partial<ConstructorParameters<typeof RemoteInference>[2]> = {}) => {
    // Handlers that hang (a dead member) are not waited for at close.
    const bus = new MemoryBus({ onError: () => {}, drainTimeoutMs: 50 });
    buses.push(bus);
    const remote = new RemoteInference(bus, () => MODEL, { requestTimeoutMs: 100, deadlineMs: 250, maxInFlight: 8, retryDelayMs: 10, ...opts });
    return { bus, remote };
  };

  it('returns the member’s probabilities and features, and counts them', async () => {
    const { bus, remote } = setup();
    const seen: unknown[] = [];
    bus.subscribe(HAR_CLASSIFY_SUBJECT, (p) => (seen.push(p), { probs: Float32Array.of(0.25, 0.75), features: Float32Array.of(1, 2, 3) }), { queue: INFERENCE_QUEUE });
    const r = await remote.classifyWithFeatures(window(), 'phone-1', 'pocket');
    expect([...r.probs]).toEqual([0.25, 0.75]);
    expect([...r.features!]).toEqual([1, 2, 3]);
    expect(seen).toEqual([{ deviceId: 'phone-1', window: window(), placement: 'pocket' }]);
    expect(remote.stats()).toMatchObject({ completed: 1, overloaded: 0, failed: 0, queueDepth: 0 });
  });

  it('a member that does not answer costs one timeout; the window goes to the other', async () => {
    const { bus, remote } = setup();
    let calls = 0;
    // Two members of the group: the first to be asked hangs (as a killed process would), the other answers.
    bus.subscribe(HAR_CLASSIFY_SUBJECT, () => (calls++ === 0 ? new Promise(() => {}) : { probs: Float32Array.of(1, 0) }), { queue: INFERENCE_QUEUE });
    const started = performance.now();
    const r = await remote.classifyWithFeatures(window(), 'phone-1');
    expect([...r.probs]).toEqual([1, 0]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
    expect(remote.retried).toBe(1);
  });

  it('with no member, waits until the deadline, then refuses as overloaded', async () => {
    const { remote } = setup();
    const started = performance.now();
    await expect(remote.classifyWithFeatures(window(), 'phone-1')).rejects.toBeInstanceOf(OverloadedError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
    expect(remote.stats().overloaded).toBe(1);
  });

  it("a member's overloaded reply is an OverloadedError; its other errors and malformed replies are errors", async () => {
    const { bus, remote } = setup();
    const replies: unknown[] = [{ error: { code: 'overloaded', message: 'full' } }, { error: { code: 'internal', message: 'boom' } }, { probs: [0.5, 0.5] }, { probs: Float32Array.of(1) }, null];
    bus.subscribe(HAR_CLASSIFY_SUBJECT, () => replies.shift(), { queue: INFERENCE_QUEUE });
    await expect(remote.classifyWithFeatures(window(), 'd')).rejects.toBeInstanceOf(OverloadedError);
    await expect(remote.classifyWithFeatures(window(), 'd')).rejects.toThrow(/inference member: boom/);
    await expect(remote.classifyWithFeatures(window(), 'd')).rejects.toThrow(/malformed reply/);
    await expect(remote.classifyWithFeatures(window(), 'd')).rejects.toThrow(/malformed reply/);
    await expect(remote.classifyWithFeatures(window(), 'd')).rejects.toThrow(/malformed reply/);
  });

  it('beyond maxInFlight windows waiting, refuses at once', async () => {
    const { bus, remote } = setup({ maxInFlight: 2, requestTimeoutMs: 1_000, deadlineMs: 1_000 });
    const release: (() => void)[] = [];
    bus.subscribe(HAR_CLASSIFY_SUBJECT, () => new Promise((r) => release.push(() => r({ probs: Float32Array.of(1, 0) }))), { queue: INFERENCE_QUEUE });
    const a = remote.classifyWithFeatures(window(), 'd');
    const b = remote.classifyWithFeatures(window(), 'd');
    await expect(remote.classifyWithFeatures(window(), 'd')).rejects.toBeInstanceOf(OverloadedError);
    expect(remote.queueDepth).toBe(2);
    await new Promise((r) => setTimeout(r, 10));
    for (const f of release) f();
    await Promise.all([a, b]);
    expect(remote.queueDepth).toBe(0);
  });
});
