// Slow dashboards: messages are dropped (and counted) while a socket has too much unsent data;
// a dropped device list is resent once it catches up. Uses a stand-in socket whose
// bufferedAmount the test controls (loopback TCP buffers are too big to fill quickly).
// Also what a subscribe costs: the `stats` figures are made at most once per stats interval.
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import type { DeviceInfo } from '../../protocol/sensor-messages.js';
import { makeConfig } from '../../server/config.js';
import { DashboardHub } from '../../server/dashboards/dashboard-hub.js';
import { DeviceRegistry } from '../../server/devices/device-registry.js';
import { LocalFeed } from '../../server/fan-out/live-feed.js';
import { Auth } from '../../server/security/auth.js';

class FakeSocket extends EventEmitter {
  readyState: number = WebSocket.OPEN;
  bufferedAmount = 0;
  sent: unknown[] = [];
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = WebSocket.CLOSED;
    this.emit('close');
  }
  types() {
    return this.sent.map((m) => (m as { type: string }).type);
  }
}

function setup() {
  const config = makeConfig({ maxBufferedBytes: 1000, dashboard: { statsIntervalMs: 60_000 } });
  const registry = new DeviceRegistry(10);
  const feed = new LocalFeed(registry);
  let statsMade = 0;
  const stats = () => {
    statsMade++;
    return { backend: 'test', devices: registry.size, windowsPerSec: statsMade, meanBatch: 0, queueDepth: 0, latencyMs: { p50: 0, p99: 0 } };
  };
  const hub = new DashboardHub({ feed, auth: new Auth([]), config, stats });
  return { hub, registry, feed, statsMade: () => statsMade };
}

const subscribe = (ws: FakeSocket) => ws.emit('message', Buffer.from(JSON.stringify({ type: 'subscribe', devices: '*' })), false);
const lastStats = (ws: FakeSocket) => ws.sent.filter((m) => (m as { type: string }).type === 'stats').at(-1) as { windowsPerSec: number } | undefined;

const info = (deviceId: string): DeviceInfo => ({ deviceId, rateHz: 50, units: 'g', connectedAt: 0 });
const prediction = (deviceId: string) => ({ type: 'prediction' as const, deviceId, windowEnd: 0, probs: [1], label: 'walking', latencyMs: 1 });

describe('dashboard backpressure', () => {
  let hub: DashboardHub | undefined;
  afterEach(() => hub?.close());

  it('drops messages while the socket is behind and counts them; sends again once it caught up', () => {
    const s = setup();
    hub = s.hub;
    const ws = new FakeSocket();
    s.hub.add(ws as unknown as WebSocket);
    subscribe(ws);
    expect(ws.types()).toEqual(['devices', 'stats']);

    s.feed.prediction(prediction('a'));
    expect(ws.types().at(-1)).toBe('prediction');

    ws.bufferedAmount = 5000; // the viewer stopped reading
    for (let i = 0; i < 10; i++) s.feed.prediction(prediction('a'));
    expect(ws.sent).toHaveLength(3);
    expect(s.hub.droppedMessages()).toBe(10);

    // A device list dropped while behind is resent by the next tick once the socket drained.
    s.registry.claim(info('b'));
    expect(ws.sent).toHaveLength(3);
    ws.bufferedAmount = 0;
    (s.hub as unknown as { tick(): void }).tick();
    const devices = ws.sent.filter((m) => (m as { type: string }).type === 'devices').at(-1) as { devices: DeviceInfo[] };
    expect(devices.devices.map((d) => d.deviceId)).toEqual(['b']);
    expect(s.hub.droppedMessages()).toBe(11);

    // Counts survive the dashboard leaving.
    ws.close();
    expect(s.hub.size).toBe(0);
    expect(s.hub.droppedMessages()).toBe(11);
  });

  it("sends a device's messages only to dashboards watching it, and nothing before subscribe", () => {
    const s = setup();
    hub = s.hub;
    const all = new FakeSocket();
    const some = new FakeSocket();
    const none = new FakeSocket();
    for (const ws of [all, some, none]) s.hub.add(ws as unknown as WebSocket);
    subscribe(all);
    some.emit('message', Buffer.from(JSON.stringify({ type: 'subscribe', devices: ['x'] })), false);
    s.feed.prediction(prediction('x'));
    s.feed.prediction(prediction('y'));
    const preds = (ws: FakeSocket) => ws.sent.filter((m) => (m as { type: string }).type === 'prediction').map((m) => (m as { deviceId: string }).deviceId);
    expect(preds(all)).toEqual(['x', 'y']);
    expect(preds(some)).toEqual(['x']);
    expect(none.sent).toEqual([]);
  });
});

describe('dashboard stats', () => {
  let hub: DashboardHub | undefined;
  afterEach(() => {
    hub?.close();
    vi.useRealTimers();
  });

  it('makes the figures once per stats interval however often dashboards subscribe; each tick makes new ones', () => {
    vi.useFakeTimers({ toFake: ['performance', 'setInterval', 'clearInterval'] });
    const s = setup();
    hub = s.hub;
    const sockets = Array.from({ length: 50 }, () => new FakeSocket());
    for (const ws of sockets) {
      s.hub.add(ws as unknown as WebSocket);
      subscribe(ws);
      subscribe(ws);
    }
    expect(s.statsMade()).toBe(1);
    expect(sockets.every((ws) => lastStats(ws)?.windowsPerSec === 1)).toBe(true);

    vi.advanceTimersByTime(60_000); // the tick
    expect(s.statsMade()).toBe(2);
    expect(sockets.every((ws) => lastStats(ws)?.windowsPerSec === 2)).toBe(true);
    subscribe(sockets[0]!);
    expect(s.statsMade()).toBe(2);

    // With no dashboard there is no tick: a subscribe after the interval gets figures made then.
    for (const ws of sockets) ws.close();
    vi.advanceTimersByTime(60_001);
    const late = new FakeSocket();
    s.hub.add(late as unknown as WebSocket);
    subscribe(late);
    expect(s.statsMade()).toBe(3);
    expect(lastStats(late)?.windowsPerSec).toBe(3);
  });
});
