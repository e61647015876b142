// The bus contract (server/bus/bus.ts), one suite run on every implementation:
// tests/bus/memory-bus.test.ts and tests/bus/nats-bus.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BusClosedError, BusInvalidArgumentError, BusNoRespondersError, BusRemoteError, BusTimeoutError, type Bus, type BusStatus } from '../../server/bus/bus.js';

/** Clients of one broker: separate connections on NATS, the same bus in one process. */
export interface Broker {
  client(): Promise<Bus>;
  /** Closes every client it made. */
  dispose(): Promise<void>;
}

export function waitFor(condition: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (condition()) resolve();
      else if (performance.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(check, 5);
    };
    check();
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let barrierCount = 0;

/**
 * Resolves once everything `publisher` published before reached `subscriber`'s subscriptions:
 * a marker sent after them arrives after them (one publisher, one subscriber: in order).
 */
export async function barrier(publisher: Bus, subscriber: Bus): Promise<void> {
  const subject = `barrier.${++barrierCount}`;
  let arrived = false;
  const sub = subscriber.subscribe(subject, () => {
    arrived = true;
  });
  // A subscription on NATS is live once the server has it: repeat the marker until it lands.
  try {
    await waitFor(
      () => {
        if (!arrived) publisher.publish(subject, 'marker');
        return arrived;
      },
      5_000,
      'barrier',
    );
  } finally {
    sub.unsubscribe();
  }
}

/** Subscribes and waits until the subscription is live for `publisher` (NATS: the server has it). */
export async function ready(publisher: Bus, subscriber: Bus): Promise<void> {
  await barrier(publisher, subscriber);
}

export function busContract(name: string, makeBroker: () => Promise<Broker>): void {
  describe(`bus contract: ${name}`, () => {
    let broker: Broker;
    let a: Bus;
    let b: Bus;

    beforeEach(async () => {
      broker = await makeBroker();
      a = await broker.client();
      b = await broker.client();
    });

    afterEach(async () => {
      await broker.dispose();
    });

    it('delivers plain data, typed arrays included, to subscribers asynchronously', async () => {
      const received: unknown[] = [];
      b.subscribe('sensorium.test.data', (payload, info) => {
        received.push({ payload, info });
      });
      await ready(a, b);
      const payload = {
        deviceId: 'phone-1',
        window: new Float32Array([0.5, -1.25, 9.80665]),
        probs: [0.1, 0.9],
        nested: { ok: true, none: null, text: 'héllo' },
        count: 3,
      };
      a.publish('sensorium.test.data', payload);
      expect(received).toHaveLength(0); // never inside publish()
      await waitFor(() => received.length === 1);
      const [{ payload: got, info }] = received as { payload: typeof payload; info: { subject: string; isRequest: boolean } }[];
      expect(info).toEqual({ subject: 'sensorium.test.data', isRequest: false });
      expect(got.window).toBeInstanceOf(Float32Array);
      expect(Array.from(got.window)).toEqual(Array.from(new Float32Array([0.5, -1.25, 9.80665])));
      expect(got.probs).toEqual([0.1, 0.9]);
      expect(got.nested).toEqual({ ok: true, none: null, text: 'héllo' });
      expect(got.count).toBe(3);
    });

    it('keeps publish order for one subscription', async () => {
      const received: number[] = [];
      b.subscribe('sensorium.test.order', (n) => {
        received.push(n as number);
      });
      await ready(a, b);
      for (let i = 0; i < 500; i++) a.publish('sensorium.test.order', i);
      await waitFor(() => received.length === 500);
      expect(received).toEqual(Array.from({ length: 500 }, (_, i) => i));
    });

    it('matches * to one token and > to one or more', async () => {
      const got: Record<string, string[]> = { star: [], tail: [], exact: [] };
      b.subscribe('sensorium.*.x', (_p, info) => void got.star!.push(info.subject));
      b.subscribe('sensorium.>', (_p, info) => void got.tail!.push(info.subject));
      b.subscribe('sensorium.a.x', (_p, info) => void got.exact!.push(info.subject));
      await ready(a, b);
      for (const subject of ['sensorium.a.x', 'sensorium.b.x', 'sensorium.a.x.y', 'sensorium.a', 'sensorium', 'other.a.x']) {
        a.publish(subject, 1);
      }
      await barrier(a, b);
      expect(got.star!.sort()).toEqual(['sensorium.a.x', 'sensorium.b.x']);
      expect(got.tail!.sort()).toEqual(['sensorium.a', 'sensorium.a.x', 'sensorium.a.x.y', 'sensorium.b.x']);
      expect(got.exact).toEqual(['sensorium.a.x']);
    });

    it('gives each message to exactly one member of a queue group, spreads the load, and to every plain subscriber', async () => {
      const c = await broker.client();
      const members: number[][] = [[], []];
      const plain: number[] = [];
      b.subscribe('sensorium.test.work', (n) => void members[0]!.push(n as number), { queue: 'workers' });
      c.subscribe('sensorium.test.work', (n) => void members[1]!.push(n as number), { queue: 'workers' });
      b.subscribe('sensorium.test.work', (n) => void plain.push(n as number));
      await ready(a, b);
      await ready(a, c);
      // ready() cannot tell whether the queue subscriptions are live yet: count from a marker on.
      const total = 400;
      for (let i = 0; i < total; i++) a.publish('sensorium.test.work', i);
      await barrier(a, b);
      await barrier(a, c);
      const all = [...members[0]!, ...members[1]!].sort((x, y) => x - y);
      expect(all).toEqual(Array.from({ length: total }, (_, i) => i));
      expect(plain).toHaveLength(total);
      // Both members work (NATS picks at random: 400 draws leave each well above 25%).
      expect(members[0]!.length).toBeGreaterThan(total / 4);
      expect(members[1]!.length).toBeGreaterThan(total / 4);
    });

    it("answers requests with a handler's value or promise, null included", async () => {
      b.subscribe('sensorium.test.double', (n) => (n as number) * 2, { queue: 'math' });
      b.subscribe('sensorium.test.later', async (p) => {
        await sleep(10);
        return { echoed: p, window: new Float32Array([1, 2]) };
      });
      b.subscribe('sensorium.test.null', () => null);
      await ready(a, b);
      await expect(a.request('sensorium.test.double', 21, { timeoutMs: 2_000 })).resolves.toBe(42);
      const later = (await a.request('sensorium.test.later', 'hi', { timeoutMs: 2_000 })) as { echoed: string; window: Float32Array };
      expect(later.echoed).toBe('hi');
      expect(later.window).toBeInstanceOf(Float32Array);
      await expect(a.request('sensorium.test.null', 0, { timeoutMs: 2_000 })).resolves.toBeNull();
    });

    it('tells the handler a message is a request', async () => {
      const seen: boolean[] = [];
      b.subscribe('sensorium.test.kind', (_p, info) => {
        seen.push(info.isRequest);
        return info.isRequest ? 'reply' : undefined;
      });
      await ready(a, b);
      seen.length = 0;
      a.publish('sensorium.test.kind', 1);
      await a.request('sensorium.test.kind', 2, { timeoutMs: 2_000 });
      await barrier(a, b);
      expect(seen.sort()).toEqual([false, true]);
    });

    it('rejects with BusTimeoutError when nobody replies in time', async () => {
      b.subscribe('sensorium.test.silent', () => undefined);
      await ready(a, b);
      const started = performance.now();
      const err = await a.request('sensorium.test.silent', 1, { timeoutMs: 150 }).catch((e: unknown) => e);
      const elapsed = performance.now() - started;
      expect(err).toBeInstanceOf(BusTimeoutError);
      expect((err as BusTimeoutError).code).toBe('timeout');
      expect(elapsed).toBeGreaterThanOrEqual(140);
      expect(elapsed).toBeLessThan(2_000);
    });

    it('rejects with BusNoRespondersError at once when nobody subscribes', async () => {
      const started = performance.now();
      const err = await a.request('sensorium.test.nobody', 1, { timeoutMs: 5_000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BusNoRespondersError);
      expect((err as BusNoRespondersError).code).toBe('no-responders');
      expect(performance.now() - started).toBeLessThan(2_000);
    });

    it("sends a responder's failure back as BusRemoteError and tells its onError", async () => {
      const errors: string[] = [];
      b.subscribe(
        'sensorium.test.fails',
        (p) => {
          if (p === 'async') return Promise.reject(new Error('model unavailable'));
          throw new Error('bad window');
        },
        { onError: (err) => errors.push(err.message) },
      );
      await ready(a, b);
      const err = await a.request('sensorium.test.fails', 'sync', { timeoutMs: 2_000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BusRemoteError);
      expect((err as Error).message).toContain('bad window');
      const asyncErr = await a.request('sensorium.test.fails', 'async', { timeoutMs: 2_000 }).catch((e: unknown) => e);
      expect(asyncErr).toBeInstanceOf(BusRemoteError);
      expect((asyncErr as Error).message).toContain('model unavailable');
      expect(errors).toEqual(['bad window', 'model unavailable']);
    });

    it('keeps a failing handler from its neighbours and from the publisher', async () => {
      const errors: string[] = [];
      const good: number[] = [];
      b.subscribe(
        'sensorium.test.mixed',
        () => {
          throw new Error('boom');
        },
        { onError: (err) => errors.push(err.message) },
      );
      b.subscribe('sensorium.test.mixed', (n) => void good.push(n as number));
      await ready(a, b);
      expect(() => a.publish('sensorium.test.mixed', 1)).not.toThrow();
      a.publish('sensorium.test.mixed', 2);
      await barrier(a, b);
      expect(good).toEqual([1, 2]);
      expect(errors).toEqual(['boom', 'boom']);
    });

    it('answers every request while a member leaves its queue group mid-stream (drain), then only the other', async () => {
      const c = await broker.client();
      const first = b.subscribe(
        'sensorium.test.classify',
        async () => {
          await sleep(1);
          return 'b';
        },
        { queue: 'inference' },
      );
      c.subscribe('sensorium.test.classify', () => 'c', { queue: 'inference' });
      await ready(a, b);
      await ready(a, c);
      const before: string[] = [];
      const during: Promise<unknown>[] = [];
      for (let i = 0; i < 30; i++) before.push((await a.request('sensorium.test.classify', i, { timeoutMs: 2_000 })) as string);
      // Requests keep flowing, 8 at a time, while b drains.
      let draining: Promise<void> | undefined;
      for (let i = 0; i < 40; i++) {
        if (i === 8) draining = first.drain();
        during.push(a.request('sensorium.test.classify', i, { timeoutMs: 2_000 }));
        if (i % 8 === 7) await Promise.all(during.slice(-8));
      }
      await draining;
      const afterDrain: string[] = [];
      for (let i = 0; i < 30; i++) afterDrain.push((await a.request('sensorium.test.classify', i, { timeoutMs: 2_000 })) as string);
      expect(before).toContain('b');
      expect(before).toContain('c');
      expect(await Promise.all(during)).toHaveLength(40); // none timed out
      expect(afterDrain).toEqual(Array(30).fill('c'));
    });

    it('stops delivery on unsubscribe (idempotent)', async () => {
      const got: number[] = [];
      const sub = b.subscribe('sensorium.test.unsub', (n) => void got.push(n as number));
      await ready(a, b);
      a.publish('sensorium.test.unsub', 1);
      await barrier(a, b);
      sub.unsubscribe();
      sub.unsubscribe();
      a.publish('sensorium.test.unsub', 2);
      await barrier(a, b);
      expect(got).toEqual([1]);
    });

    it('refuses malformed subjects, queue groups and bucket names with BusInvalidArgumentError', async () => {
      for (const subject of ['', 'a..b', 'a.*', 'a.>', 'a b', '.a', 'a.b*']) {
        expect(() => a.publish(subject, 1), subject).toThrow(BusInvalidArgumentError);
      }
      for (const subject of ['a.>.b', 'a..b', 'a.b>', '']) {
        expect(() => a.subscribe(subject, () => undefined), subject).toThrow(BusInvalidArgumentError);
      }
      expect(() => a.subscribe('a.b', () => undefined, { queue: 'has space' })).toThrow(BusInvalidArgumentError);
      await expect(a.request('a.*', 1, { timeoutMs: 100 })).rejects.toBeInstanceOf(BusInvalidArgumentError);
      await expect(a.kv('bad.bucket')).rejects.toBeInstanceOf(BusInvalidArgumentError);
    });

    it('stores, reads, lists and deletes KV entries', async () => {
      const kv = await a.kv('contract-kv');
      await expect(kv.get('phone-1')).resolves.toBeUndefined();
      await kv.put('phone-1', { seq: 7, lastWindowEnd: 1234.5, head: new Float32Array([0.25, 0.5]) });
      await kv.put('phone=2E2', 'second');
      // Another client sees the same bucket.
      const other = await b.kv('contract-kv');
      const session = (await other.get('phone-1')) as { seq: number; lastWindowEnd: number; head: Float32Array };
      expect(session.seq).toBe(7);
      expect(session.lastWindowEnd).toBe(1234.5);
      expect(session.head).toBeInstanceOf(Float32Array);
      expect(Array.from(session.head)).toEqual([0.25, 0.5]);
      expect((await other.keys()).sort()).toEqual(['phone-1', 'phone=2E2']);
      await kv.put('phone-1', { seq: 8 });
      await expect(other.get('phone-1')).resolves.toEqual({ seq: 8 });
      await kv.delete('phone-1');
      await kv.delete('never-there');
      await expect(other.get('phone-1')).resolves.toBeUndefined();
      expect(await other.keys()).toEqual(['phone=2E2']);
      await expect(kv.put('bad key', 1)).rejects.toBeInstanceOf(BusInvalidArgumentError);
      await expect(kv.get('.dot')).rejects.toBeInstanceOf(BusInvalidArgumentError);
    });

    it('forgets KV entries ttlMs after their last put', async () => {
      const kv = await a.kv('contract-ttl', { ttlMs: 1_000 });
      await kv.put('short', 1);
      await expect(kv.get('short')).resolves.toBe(1);
      await sleep(600);
      await kv.put('refreshed', 2);
      await sleep(600);
      // 1.2 s after its put 'short' is gone; 'refreshed' (0.6 s old) lives on.
      await expect(kv.get('refreshed')).resolves.toBe(2);
      let gone = false;
      const deadline = performance.now() + 3_000;
      while (!gone && performance.now() < deadline) {
        gone = (await kv.get('short')) === undefined;
        if (!gone) await sleep(100);
      }
      expect(gone).toBe(true);
      expect(await kv.keys()).not.toContain('short');
    });

    it('close() lets running handlers reply, then refuses everything with BusClosedError', async () => {
      const c = await broker.client();
      let started = false;
      c.subscribe('sensorium.test.slow', async () => {
        started = true;
        await sleep(150);
        return 'done';
      });
      await ready(a, c);
      const statuses: BusStatus[] = [];
      let completed = false;
      c.status$.subscribe({ next: (s) => statuses.push(s), complete: () => (completed = true) });
      const reply = a.request('sensorium.test.slow', 1, { timeoutMs: 3_000 });
      await waitFor(() => started);
      await c.close();
      await expect(reply).resolves.toBe('done');
      expect(statuses).toContainEqual({ type: 'closed' });
      expect(completed).toBe(true);
      expect(c.connected).toBe(false);
      expect(() => c.publish('sensorium.test.x', 1)).toThrow(BusClosedError);
      expect(() => c.subscribe('sensorium.test.x', () => undefined)).toThrow(BusClosedError);
      await expect(c.request('sensorium.test.x', 1, { timeoutMs: 100 })).rejects.toBeInstanceOf(BusClosedError);
      await expect(c.kv('after-close')).rejects.toBeInstanceOf(BusClosedError);
      await c.close(); // idempotent
    });
  });
}
