// Failures of a cluster on a real nats-server, with processes killed as an operator's machine
// would lose them (SIGKILL: no goodbye on the bus): an inference member dies mid-stream and no
// window is lost; a gateway dies and its device resumes on another; NATS itself restarts and the
// processes recover without a restart of their own.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { skipNatsTests, startNatsServer, type NatsServer } from '../helpers/nats-server.js';
import { startChildServer, type ChildServer } from '../server/child-server.js';
import { labelledRecording, sleep, TestClient, toFrames } from '../server/helpers.js';
import { natsBuses, startNode, waitUntil, type ClusterNodeHandle } from './cluster-harness.js';

const hello = (deviceId: string) => ({ type: 'hello', deviceId, rateHz: 50, units: 'g', hasLabels: true });
const FAST = { rateLimit: { samplesPerSec: 10_000, burstSamples: 20_000 } };
interface Health {
  status: string;
  cluster?: { gateways: number; inferenceMembers: number };
}
const healthOf = async (url: string): Promise<Health> => (await fetch(`${url}/api/health`)).json() as Promise<Health>;
const windowsOf = (samples: number) => Math.floor((samples - 128) / 64) + 1;

describe.skipIf(skipNatsTests())('cluster failures on NATS', () => {
  let nats: NatsServer;
  const children: ChildServer[] = [];
  const nodes: ClusterNodeHandle[] = [];
  beforeAll(async () => {
    nats = await startNatsServer({ jetstream: true });
  });
  afterEach(async () => {
    for (const c of children.splice(0)) c.proc.kill('SIGKILL');
    for (const n of nodes.splice(0).reverse()) await n.stop().catch(() => {});
  });
  afterAll(async () => {
    await nats?.dispose();
  });
  const child = async (role: string, nodeId: string, extra: string[] = []) => {
    const c = await startChildServer(['--bus', nats.url, '--role', role, '--node-id', nodeId, '--bus-request-timeout-ms', '500', '--max-samples-per-sec', '10000', ...extra]);
    children.push(c);
    return c;
  };

  it('an inference member killed mid-stream loses no window', async () => {
    await child('inference', 'inference-k1');
    const doomed = await child('inference', 'inference-k2');
    const gateway = await startNode(natsBuses(nats.url), 'gateway', 'gateway-k', FAST);
    nodes.push(gateway);
    await waitUntil(async () => (await healthOf(gateway.url)).cluster?.inferenceMembers === 2, 'both members');

    const device = await TestClient.connect(gateway.wsUrl('/ws/device'), 'msgpack');
    device.send(hello('phone-k'));
    await device.count('welcome', 1);
    const rec = labelledRecording([['walking', 40]]);
    const frames = toFrames(rec, 25);
    for (const [i, f] of frames.entries()) {
      if (i === Math.floor(frames.length / 2)) doomed.proc.kill('SIGKILL');
      device.send(f);
      await sleep(10);
    }
    await device.count('prediction', windowsOf(rec.t.length), 30_000);
    expect(device.of('error')).toEqual([]);
    expect(device.of('prediction')).toHaveLength(windowsOf(rec.t.length));
    await device.close();
  }, 120_000);

  it('a device whose gateway is killed resumes its session on another gateway', async () => {
    const inference = await startNode(natsBuses(nats.url), 'inference', 'inference-g');
    nodes.push(inference);
    const doomed = await child('gateway', 'gateway-doomed');
    const survivor = await startNode(natsBuses(nats.url), 'gateway', 'gateway-survivor', FAST);
    nodes.push(survivor);
    await waitUntil(async () => (await healthOf(doomed.url)).cluster?.inferenceMembers === 1 && (await healthOf(survivor.url)).cluster?.gateways === 2, 'the cluster to form');

    let device = await TestClient.connect(doomed.wsUrl('/ws/device'), 'msgpack');
    device.send(hello('phone-g'));
    await device.count('welcome', 1);
    const frames = toFrames(labelledRecording([['walking', 30]]), 25);
    for (const f of frames.slice(0, 30)) {
      device.send(f);
      await sleep(10);
    }
    const seen = await device.count('prediction', 8);
    await sleep(2_500); // one snapshot interval: the directory has this session
    doomed.proc.kill('SIGKILL');
    await device.closed;

    device = await TestClient.connect(survivor.wsUrl('/ws/device'), 'msgpack');
    device.send({ ...hello('phone-g'), lastWindowEnd: seen.at(-1)!.windowEnd });
    const [welcome] = await device.count('welcome', 1);
    expect(welcome).toMatchObject({ resumed: true });
    frames.slice(30).forEach((f, i) => device.send({ ...f, seq: i }));
    await device.count('prediction', 10, 20_000);
    expect(device.of('error')).toEqual([]);
    await device.close();
  }, 120_000);

  it('NATS restarts: windows meanwhile are refused as overloaded, then the same processes serve again', async () => {
    const inference = await startNode(natsBuses(nats.url), 'inference', 'inference-r');
    const gateway = await startNode(natsBuses(nats.url), 'gateway', 'gateway-r', FAST);
    nodes.push(inference, gateway);
    await waitUntil(async () => (await healthOf(gateway.url)).cluster?.inferenceMembers === 1, 'the cluster to form');
    const device = await TestClient.connect(gateway.wsUrl('/ws/device'), 'msgpack');
    device.send(hello('phone-r'));
    await device.count('welcome', 1);
    const frames = toFrames(labelledRecording([['walking', 120]]), 25);
    let next = 0;
    const stream = async (n: number) => {
      for (const f of frames.slice(next, next + n)) {
        device.send(f);
        await sleep(10);
      }
      next += n;
    };
    await stream(20);
    await device.count('prediction', 5);

    await nats.stop();
    await waitUntil(async () => (await fetch(`${gateway.url}/api/health`)).status === 503, 'the gateway to report the bus down');
    await stream(60); // 1,500 samples while NATS is away
    await device.until((m) => m.some((x) => x.type === 'error' && x.code === 'overloaded'), 10_000, 'overloaded while the bus is down');
    expect(device.closeCode).toBeUndefined(); // the device stays connected

    await nats.restart();
    await waitUntil(async () => (await healthOf(gateway.url)).status === 'ok' && (await healthOf(gateway.url)).cluster?.inferenceMembers === 1, 'the gateway to recover', 30_000);
    const before = device.of('prediction').length;
    await stream(60);
    await device.until((m) => m.filter((x) => x.type === 'prediction').length >= before + 10, 20_000, 'predictions after the restart');
    await device.close();
  }, 120_000);
});
