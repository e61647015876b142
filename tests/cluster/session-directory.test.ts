// The cluster's session directory on its own, over the in-process bus's KV (the NATS KV passes the
// same bus contract): snapshots saved, found, forgotten only by the gateway that saved them,
// malformed entries ignored, a slow or missing bucket never holds a hello up.
import { afterEach, describe, expect, it } from 'vitest';
import { SESSIONS_BUCKET, sessionKey } from '../../protocol/bus-subjects.js';
import type { Bus, BusKv } from '../../server/bus/bus.js';
import { MemoryBus } from '../../server/bus/memory-bus.js';
import { KvSessionDirectory, parseSnapshot, type SessionSnapshot } from '../../server/cluster/session-directory.js';

const snapshot = (over: Partial<SessionSnapshot> = {}): SessionSnapshot => ({
  deviceId: 'phone.1',
  owner: 'token-1',
  units: 'g',
  rateHz: 50,
  gatewayId: 'gw-a',
  savedAt: 1,
  held: [{ message: { type: 'prediction', deviceId: 'phone.1', windowEnd: 2560, probs: [1, 0], label: 'walking', latencyMs: 3 }, sent: true }],
  ...over,
});
const settle = () => new Promise((r) => setTimeout(r, 20));

describe('KvSessionDirectory', () => {
  const buses: MemoryBus[] = [];
  afterEach(async () => {
    for (const b of buses.splice(0)) await b.close();
  });
  const bus = () => {
    const b = new MemoryBus({ onError: () => {} });
    buses.push(b);
    return b;
  };

  it('finds what another gateway saved; forgets only its own', async () => {
    const b = bus();
    const errors: unknown[] = [];
    const a = new KvSessionDirectory(b, 'gw-a', (e) => errors.push(e));
    const other = new KvSessionDirectory(b, 'gw-b', (e) => errors.push(e));
    a.save(snapshot());
    await settle();
    expect(await other.find('phone.1')).toEqual(snapshot());
    other.forget('phone.1'); // gw-b did not save it: it stays
    await settle();
    expect(await other.find('phone.1')).toBeDefined();
    a.forget('phone.1');
    await settle();
    expect(await other.find('phone.1')).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('ignores entries that are not snapshots of that device', async () => {
    const b = bus();
    const kv = await b.kv(SESSIONS_BUCKET);
    const dir = new KvSessionDirectory(b, 'gw-a', () => {});
    for (const junk of [null, 7, 'x', {}, { ...snapshot(), deviceId: 'someone-else' }, { ...snapshot(), owner: 5 }, { ...snapshot(), held: 'all' }]) {
      await kv.put(sessionKey('phone.1'), junk);
      expect(await dir.find('phone.1')).toBeUndefined();
    }
    // Malformed held predictions are dropped, the rest kept.
    await kv.put(sessionKey('phone.1'), { ...snapshot(), held: [null, { sent: 'yes' }, ...snapshot().held] });
    expect((await dir.find('phone.1'))?.held).toEqual(snapshot().held);
    expect(parseSnapshot(snapshot(), 'phone.1')).toEqual(snapshot());
  });

  it('a bucket that does not answer costs a hello at most half a second', async () => {
    const hanging: BusKv = { get: () => new Promise(() => {}), put: () => new Promise(() => {}), delete: () => new Promise(() => {}), keys: async () => [] };
    const slowBus = { kv: async () => hanging } as unknown as Bus;
    const dir = new KvSessionDirectory(slowBus, 'gw-a', () => {});
    const started = performance.now();
    expect(await dir.find('phone.1')).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('without a bucket (NATS without JetStream) it warns once and steps aside', async () => {
    const warnings: string[] = [];
    const noKv = { kv: () => Promise.reject(new Error('JetStream not enabled')) } as unknown as Bus;
    const dir = new KvSessionDirectory(
      noKv,
      'gw-a',
      () => {},
      (m) => warnings.push(m),
    );
    await settle();
    expect(await dir.find('phone.1')).toBeUndefined();
    dir.save(snapshot());
    dir.forget('phone.1');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/JetStream \(-js\)/);
  });
});
