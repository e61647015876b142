// Fan-out across nodes on its own: two nodes' feeds on one in-process bus. A node receives
// another's predictions only for devices its dashboards watch; signal is computed and published
// only while a dashboard somewhere watches the device; a node never sees its own devices twice.
import { afterEach, describe, expect, it } from 'vitest';
import { devicesSubject } from '../../protocol/bus-subjects.js';
import type { PredictionMessage, SignalMessage } from '../../protocol/sensor-messages.js';
import { MemoryBus } from '../../server/bus/memory-bus.js';
import { ClusterView } from '../../server/cluster/cluster-view.js';
import { DeviceRegistry } from '../../server/devices/device-registry.js';
import { ClusterFeed } from '../../server/fan-out/cluster-feed.js';
import { LocalFeed } from '../../server/fan-out/live-feed.js';

const prediction = (deviceId: string, windowEnd = 1): PredictionMessage => ({ type: 'prediction', deviceId, windowEnd, probs: [1], label: 'walking', latencyMs: 1 });
const signal = (deviceId: string): SignalMessage => ({ type: 'signal', deviceId, t: [1], x: [0], y: [0], z: [1] }) as unknown as SignalMessage;
const settle = () => new Promise((r) => setTimeout(r, 20));

describe('ClusterFeed', () => {
  const closers: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  function node(bus: MemoryBus, nodeId: string) {
    const registry = new DeviceRegistry(10);
    const local = new LocalFeed(registry);
    const view = new ClusterView(bus, nodeId);
    const feed = new ClusterFeed(bus, view, local, (id) => registry.has(id));
    const predictions: PredictionMessage[] = [];
    const signals: SignalMessage[] = [];
    const subs = [feed.predictions$.subscribe((p) => predictions.push(p)), feed.signals$.subscribe((s) => signals.push(s))];
    closers.push(() => {
      for (const s of subs) s.unsubscribe();
      feed.close();
      view.close();
    });
    return { registry, feed, predictions, signals };
  }

  function twoNodes() {
    const bus = new MemoryBus({ onError: () => {} });
    closers.push(() => bus.close());
    const a = node(bus, 'node-a');
    const b = node(bus, 'node-b');
    a.registry.claim({ deviceId: 'phone-a', rateHz: 50, units: 'g', connectedAt: 0 });
    return { a, b, bus };
  }

  it("a node receives another's predictions only for what its dashboards watch", async () => {
    const { a, b } = twoNodes();
    a.feed.prediction(prediction('phone-a', 1));
    await settle();
    expect(b.predictions).toEqual([]); // nobody on B watches
    b.feed.setWatching(new Set(['phone-a']));
    await settle();
    a.feed.prediction(prediction('phone-a', 2));
    a.feed.prediction(prediction('phone-x', 3)); // not watched on B
    await settle();
    expect(b.predictions.map((p) => p.windowEnd)).toEqual([2]);
    b.feed.setWatching('*');
    await settle();
    a.feed.prediction(prediction('phone-x', 4));
    await settle();
    expect(b.predictions.map((p) => p.windowEnd)).toEqual([2, 4]);
    // A's own dashboards got every one of its devices' predictions once, from the local feed.
    expect(a.predictions.map((p) => p.windowEnd)).toEqual([1, 2, 3, 4]);
  });

  it('signal: computed and published only while a dashboard somewhere watches the device', async () => {
    const { a, b } = twoNodes();
    expect(a.feed.isWatched('phone-a')).toBe(false);
    b.feed.setWatching(new Set(['phone-a']));
    await settle();
    expect(a.feed.isWatched('phone-a')).toBe(true); // B's watch set reached A
    expect(a.feed.isWatched('phone-z')).toBe(false);
    a.feed.signal(signal('phone-a'));
    await settle();
    expect(b.signals.map((s) => s.deviceId)).toEqual(['phone-a']);
  });

  it('lists the devices of every gateway', async () => {
    const { a, b, bus } = twoNodes();
    // Node A announces its list (the heartbeat publisher does this in a server).
    bus.publish(devicesSubject('node-a'), { gatewayId: 'node-a', devices: a.registry.list(), sentAt: Date.now() });
    await settle();
    expect(b.feed.devices().map((d) => d.deviceId)).toEqual(['phone-a']);
    expect(a.feed.devices().map((d) => d.deviceId)).toEqual(['phone-a']); // its own, not twice
  });
});
