// Two gateways and two inference members, on the in-process bus and on a real nats-server:
// a device on gateway A is watched from a dashboard on gateway B; when an inference member
// goes away mid-stream, its windows go to the other and none is lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVITIES } from '../../protocol/sensor-messages.js';
import { skipNatsTests, startNatsServer, type NatsServer } from '../helpers/nats-server.js';
import { labelledRecording, TestClient, toFrames, sleep } from '../server/helpers.js';
import { memoryBuses, natsBuses, startNode, waitUntil, type BusFactory, type ClusterNodeHandle } from './cluster-harness.js';

const hello = (deviceId: string) => ({ type: 'hello', deviceId, rateHz: 50, units: 'g', hasLabels: true });

interface Health {
  status: string;
  problems?: string[];
  cluster?: { gateways: number; inferenceMembers: number; devicesByGateway: Record<string, number> };
}
const health = async (node: ClusterNodeHandle): Promise<Health> => (await fetch(`${node.url}/api/health`)).json() as Promise<Health>;

let nats: NatsServer | undefined;
afterAll(async () => {
  await nats?.dispose();
});

describe.each([
  ['in-process bus', async (): Promise<BusFactory> => memoryBuses()],
  ['NATS', async (): Promise<BusFactory> => natsBuses((nats ??= await startNatsServer({ jetstream: true })).url)],
] as const)('a cluster of 2 gateways and 2 inference members on the %s', (kind, makeBuses) => {
  const nodes: ClusterNodeHandle[] = [];
  let gatewayA: ClusterNodeHandle;
  let gatewayB: ClusterNodeHandle;
  let inference1: ClusterNodeHandle;
  let buses: BusFactory;

  beforeAll(async () => {
    if (kind === 'NATS' && skipNatsTests()) return;
    buses = await makeBuses();
    inference1 = await startNode(buses, 'inference', 'inference-1');
    nodes.push(inference1, await startNode(buses, 'inference', 'inference-2'));
    gatewayA = await startNode(buses, 'gateway', 'gateway-a');
    gatewayB = await startNode(buses, 'gateway', 'gateway-b');
    nodes.push(gatewayA, gatewayB);
    await waitUntil(async () => (await health(gatewayA)).cluster?.inferenceMembers === 2 && (await health(gatewayB)).cluster?.gateways === 2, 'the gateways to hear every member');
  }, 60_000);
  afterAll(async () => {
    for (const n of nodes.reverse()) await n.stop().catch(() => {});
  });

  it.skipIf(kind === 'NATS' && skipNatsTests())(
    'serves a device on A, shows it live on B, and loses no window when an inference member leaves',
    async () => {
      expect((await fetch(`${inference1.url}/metrics`)).status).toBe(200); // every role serves /api/health and /metrics
      expect((await health(inference1)).status).toBe('ok');
      // A gateway lists the model its inference members announced (here the untrained stand-in).
      const models = ((await (await fetch(`${gatewayA.url}/api/health`)).json()) as { models: { name: string; loaded: boolean; trained: boolean; source?: string }[] }).models;
      expect(models[0]).toMatchObject({ name: 'har', loaded: true, trained: false, source: 'inference members over the bus' });

      const dashboard = await TestClient.connect(gatewayB.wsUrl('/ws/dashboard'));
      dashboard.send({ type: 'subscribe', devices: '*' });
      const device = await TestClient.connect(gatewayA.wsUrl('/ws/device'), 'msgpack');
      device.send(hello('phone-1'));
      const [welcome] = await device.count('welcome', 1);
      expect(welcome).toMatchObject({ classes: [...ACTIVITIES], windowSize: 128, hop: 64 });

      // B's device list shows A's device; B's health counts it under gateway-a.
      await dashboard.until((m) => m.some((x) => x.type === 'devices' && (x.devices as { deviceId: string }[]).some((d) => d.deviceId === 'phone-1')), 10_000, "phone-1 in B's device list");
      await waitUntil(async () => (await health(gatewayB)).cluster?.devicesByGateway['gateway-a'] === 1, "B's health to count A's device");
      // B's dashboards see the cluster in their stats (the server panel shows it).
      await dashboard.until(
        (m) => m.some((x) => x.type === 'stats' && (x.cluster as { gateways?: number; devicesByGateway?: Record<string, number> } | undefined)?.devicesByGateway?.['gateway-a'] === 1),
        10_000,
        'cluster stats on B',
      );

      const rec = labelledRecording([
        ['walking', 20],
        ['sitting', 20],
      ]);
      const frames = toFrames(rec, 25);
      const half = frames.length / 2;
      for (const f of frames.slice(0, half)) {
        device.send(f);
        await sleep(5);
      }
      await device.count('prediction', 10);
      // One inference member leaves mid-stream; the rest of the recording must be classified all the same.
      await inference1.stop();
      nodes.splice(nodes.indexOf(inference1), 1);
      for (const f of frames.slice(half)) {
        device.send(f);
        await sleep(5);
      }
      const expected = Math.floor((rec.t.length - 128) / 64) + 1;
      await device.count('prediction', expected, 20_000);
      expect(device.of('error')).toEqual([]);
      expect(device.of('prediction')).toHaveLength(expected);
      // The remote dashboard saw every one of them.
      await dashboard.until((m) => m.filter((x) => x.type === 'prediction' && x.deviceId === 'phone-1').length >= expected, 10_000, 'predictions on B');
      await device.close();
      await dashboard.close();
    },
    90_000,
  );

  it.skipIf(kind === 'NATS' && skipNatsTests())(
    'a device whose gateway goes away resumes its session on another gateway',
    async () => {
      const gatewayC = await startNode(buses, 'gateway', 'gateway-c');
      nodes.push(gatewayC);
      await waitUntil(async () => (await health(gatewayC)).cluster?.inferenceMembers === 1, 'gateway C to hear the inference member');
      const rec = labelledRecording([['walking', 30]]);
      const frames = toFrames(rec, 25);
      let device = await TestClient.connect(gatewayC.wsUrl('/ws/device'), 'msgpack');
      device.send(hello('phone-2'));
      await device.count('welcome', 1);
      for (const f of frames.slice(0, 20)) {
        device.send(f);
        await sleep(5);
      }
      const before = await device.count('prediction', 5);
      const lastSeen = before.at(-1)!.windowEnd as number;
      // Gateway C shuts down: its devices are closed with 1001 and go elsewhere.
      await gatewayC.stop();
      nodes.splice(nodes.indexOf(gatewayC), 1);
      await device.closed;

      device = await TestClient.connect(gatewayB.wsUrl('/ws/device'), 'msgpack');
      device.send({ ...hello('phone-2'), lastWindowEnd: lastSeen });
      const [welcome] = await device.count('welcome', 1);
      expect(welcome).toMatchObject({ deviceId: 'phone-2', resumed: true });
      // Its seq numbers start again at 0 on the new connection, as after any reconnect.
      frames.slice(20).forEach((f, i) => device.send({ ...f, seq: i }));
      await device.count('prediction', 10, 20_000);
      expect(device.of('error')).toEqual([]);
      const ends = device.of('prediction').map((p) => p.windowEnd as number);
      expect(ends.every((e) => e > lastSeen)).toBe(true);
      await device.close();
    },
    90_000,
  );
});
