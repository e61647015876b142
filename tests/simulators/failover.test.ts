// Gateway failover of simulated devices, against two real servers on loopback: a phone streaming
// to A goes on at B when A closes (same hello with lastWindowEnd, frames made meanwhile resent)
// and gets predictions there; a dead first URL is skipped; the queue while disconnected is
// bounded; one URL keeps today's behaviour (a drop ends the phone).
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HelloMessage } from '../../protocol/sensor-messages.js';
import { FailoverDevice, parseDeviceUrls } from '../../simulators/failover-device.js';
import { PhoneFleet } from '../../simulators/phone-fleet.js';
import { startLoopbackServer, type LoopbackServer } from './loopback-server.js';

const open: LoopbackServer[] = [];
async function server(): Promise<LoopbackServer> {
  const s = await startLoopbackServer();
  open.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close().catch(() => {})));
});

async function waitFor(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A dead device URL: a server that listened once on that port and is gone. */
async function deadUrl(): Promise<string> {
  const s = await startLoopbackServer();
  await s.close();
  return s.deviceUrl;
}

const BLOCK = (t0: number) => ({ t: Array.from({ length: 5 }, (_, i) => t0 + i * 20), x: [0, 0.3, 0, -0.3, 0], y: [1, 1.2, 0.8, 1, 1.1], z: [0, 0, 0, 0, 0] });

describe('phone fleet over two gateways', () => {
  it('a phone on A continues on B when A closes, resending the frames made meanwhile, and gets predictions from B', async () => {
    const a = await server();
    const b = await server();
    const helloAtB: HelloMessage[] = [];
    const openAtB = vi.spyOn(b.server.parts.sessions, 'open').mockName('open');
    const windowEnds: { deviceId: string; windowEnd: number }[] = [];
    const fleet = await PhoneFleet.start({
      url: [a.deviceUrl, b.deviceUrl],
      count: 1,
      speed: 4,
      idPrefix: 'failover',
      onPrediction: (deviceId, p) => windowEnds.push({ deviceId, windowEnd: p.windowEnd }),
    });
    try {
      expect(fleet.devices()).toEqual([{ deviceId: 'failover-0001', url: a.deviceUrl, reconnects: 0, resumed: 0 }]);
      expect(a.server.parts.registry.size).toBe(1);
      expect(b.server.parts.registry.size).toBe(0);
      await waitFor(() => windowEnds.length >= 3, '3 predictions from A');
      const beforeKill = windowEnds.length;

      await a.close();
      await waitFor(() => fleet.devices()[0]!.url === b.deviceUrl, 'the phone to move to B');
      for (const [hello] of openAtB.mock.calls) helloAtB.push(hello);
      // The same device says hello again, with the last window it saw.
      expect(helloAtB).toHaveLength(1);
      const lastSeenOnA = windowEnds.at(-1)!.windowEnd;
      expect(helloAtB[0]).toMatchObject({ deviceId: 'failover-0001', units: 'g', rateHz: 50, lastWindowEnd: lastSeenOnA });

      await waitFor(() => windowEnds.length >= beforeKill + 3, '3 predictions from B');
      expect(b.server.parts.registry.size).toBe(1);
      const onB = windowEnds.slice(beforeKill);
      expect(onB.every((w) => w.windowEnd > lastSeenOnA)).toBe(true); // device time goes on
      const c = fleet.counters();
      // Two independent single-process servers: B starts a new session (resume needs the cluster's KV).
      expect(c).toMatchObject({ phones: 1, connected: 1, reconnects: 1, resumed: 0, framesDropped: 0, perUrl: { [b.deviceUrl]: 1 } });
      expect(c.framesResent).toBeGreaterThan(0); // at 4x real time a frame is due every 25 ms; the reconnect takes longer
      expect(c.errors.closed).toBeUndefined();
      expect(fleet.devices()[0]).toMatchObject({ url: b.deviceUrl, reconnects: 1 });
    } finally {
      openAtB.mockRestore();
      await fleet.stop();
    }
    await waitFor(() => b.server.parts.registry.size === 0, 'the phone to leave B');
  });

  it('spreads phones over the URLs (phone i on the (i mod n)-th) and skips a dead one at the start', async () => {
    const a = await server();
    const dead = await deadUrl();
    const fleet = await PhoneFleet.start({ url: [a.deviceUrl, dead], count: 4, idPrefix: 'spread', rotation: { baseDelayMs: 20 } });
    try {
      // Phones 2 and 4 start on the dead URL and go round to A.
      expect(fleet.devices().map((d) => d.url)).toEqual([a.deviceUrl, a.deviceUrl, a.deviceUrl, a.deviceUrl]);
      expect(fleet.counters()).toMatchObject({ connected: 4, reconnects: 0, perUrl: { [a.deviceUrl]: 4 } });
      expect(a.server.parts.registry.size).toBe(4);
    } finally {
      await fleet.stop();
    }
  });

  it('keeps one URL as before: a drop ends the phone and is counted as closed', async () => {
    const a = await server();
    const fleet = await PhoneFleet.start({ url: a.deviceUrl, count: 1, speed: 4, idPrefix: 'single' });
    await a.close();
    await waitFor(() => fleet.counters().connected === 0, 'the phone to drop');
    await new Promise((r) => setTimeout(r, 600)); // longer than a reconnect delay
    expect(fleet.counters()).toMatchObject({ connected: 0, reconnects: 0, errors: { closed: 1 } });
    await fleet.stop();
  });
});

describe('FailoverDevice', () => {
  it('queues at most maxBufferedFrames while disconnected (the oldest dropped) and sends them, in order, on the next server', async () => {
    const a = await server();
    const b = await server();
    const seen: number[] = [];
    const openAtB = vi.spyOn(b.server.parts.sessions, 'open');
    const device = await FailoverDevice.connect({
      urls: [a.deviceUrl, b.deviceUrl],
      hello: { deviceId: 'queue-1', rateHz: 50, units: 'g' },
      maxBufferedFrames: 3,
      rotation: { baseDelayMs: 300, jitter: 0 },
      onReconnect: (url) => seen.push(url === b.deviceUrl ? 1 : 0),
    });
    try {
      expect(device.send(BLOCK(0))).toBe(0);
      await a.close();
      await waitFor(() => !device.connected, 'the drop');
      for (let i = 1; i <= 10; i++) expect(device.send(BLOCK(i * 100))).toBe(-1);
      expect(device.queuedFrames).toBe(3);
      await waitFor(() => device.connected, 'the reconnect to B');
      expect(seen).toEqual([1]);
      expect(device.stats).toMatchObject({ reconnects: 1, framesResent: 3, framesDropped: 7, framesSent: 4, samplesSent: 20 });
      expect(openAtB).toHaveBeenCalledTimes(1);
      // The next frame on B is seq 3: the three queued ones went first as 0, 1, 2.
      expect(device.send(BLOCK(2000))).toBe(3);
      expect(device.stats.framesSent).toBe(5);
    } finally {
      openAtB.mockRestore();
      await device.close();
    }
    expect(device.closed).toBe(true);
    expect(device.send(BLOCK(3000))).toBe(-1);
  });

  it('keeps trying round the list while every server is down, counting the failures, until closed', async () => {
    const a = await server();
    const dead = await deadUrl();
    const device = await FailoverDevice.connect({
      urls: [a.deviceUrl, dead],
      hello: { deviceId: 'retry-1', rateHz: 50, units: 'g' },
      rotation: { baseDelayMs: 20, maxDelayMs: 80 },
    });
    try {
      await a.close();
      await waitFor(() => device.stats.connectFailures >= 4, '4 failed attempts');
      expect(device.connected).toBe(false);
      expect(device.closed).toBe(false);
      expect(device.lastConnectError).toMatch(/cannot connect|ECONNREFUSED/);
    } finally {
      await device.close();
    }
    expect(device.closed).toBe(true);
  });

  it('with reconnect on, one URL is retried: a server back on the same port takes the device again', async () => {
    const a = await server();
    const port = Number(new URL(a.deviceUrl).port);
    const device = await FailoverDevice.connect({
      urls: [a.deviceUrl],
      reconnect: true,
      hello: { deviceId: 'same-url-1', rateHz: 50, units: 'g' },
      rotation: { baseDelayMs: 50, maxDelayMs: 200 },
    });
    try {
      await a.close();
      await waitFor(() => !device.connected, 'the drop');
      const again = await startLoopbackServer({ port });
      open.push(again);
      await waitFor(() => device.connected, 'the reconnect');
      expect(device.url).toBe(a.deviceUrl);
      expect(device.stats.reconnects).toBe(1);
      expect(again.server.parts.registry.size).toBe(1);
    } finally {
      await device.close();
    }
  });

  it('reads --url lists and names a bad one', () => {
    expect(parseDeviceUrls('ws://a:1/ws/device,wss://b:2/ws/device')).toEqual(['ws://a:1/ws/device', 'wss://b:2/ws/device']);
    expect(() => parseDeviceUrls('ws://a,http://b')).toThrow(/--url 'http:\/\/b' must start with ws:\/\/ or wss:\/\//);
  });
});
