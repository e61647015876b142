// Whatever another process puts on the bus is untrusted: malformed classify requests get typed
// error replies, and garbage on the heartbeat, device-list, watch and prediction subjects is
// ignored. The nodes keep serving a real device throughout. (Undecodable bytes never reach these
// handlers: the NATS codec refuses them, tests/bus/bus-codec.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAR_CLASSIFY_SUBJECT, NODES_HEARTBEAT_SUBJECT, predictionsSubject, watchingSubject, devicesSubject } from '../../protocol/bus-subjects.js';
import type { Bus } from '../../server/bus/bus.js';
import { labelledRecording, TestClient, toFrames } from '../server/helpers.js';
import { memoryBuses, startNode, waitUntil, type ClusterNodeHandle } from './cluster-harness.js';

describe('hostile messages on the bus', () => {
  let bus: Bus;
  let inference: ClusterNodeHandle;
  let gateway: ClusterNodeHandle;
  beforeAll(async () => {
    const buses = memoryBuses();
    bus = await buses('attacker');
    inference = await startNode(buses, 'inference', 'inference-h');
    gateway = await startNode(buses, 'gateway', 'gateway-h');
    await waitUntil(() => gateway.server.parts.cluster!.summary().inferenceMembers === 1, 'the cluster to form');
  }, 60_000);
  afterAll(async () => {
    await gateway?.stop();
    await inference?.stop();
  });

  it('answers malformed classify requests with typed errors', async () => {
    const ask = (payload: unknown) => bus.request(HAR_CLASSIFY_SUBJECT, payload, { timeoutMs: 2_000 });
    const cases: unknown[] = [
      null,
      42,
      'window',
      [],
      {},
      { deviceId: 'x' },
      { deviceId: 'x', window: [1, 2, 3] },
      { deviceId: 'x', window: new Float32Array(5) },
      { deviceId: 'x', window: new Float64Array(384) },
      { deviceId: '', window: new Float32Array(384) },
      { deviceId: 'x'.repeat(10_000), window: new Float32Array(384) },
      { deviceId: 'x', window: new Float32Array(384), placement: 'moon' },
      { deviceId: { toString: 1 }, window: new Float32Array(384) },
    ];
    for (const payload of cases) {
      const reply = (await ask(payload)) as { error?: { code: string } };
      expect(reply.error?.code, JSON.stringify(payload)?.slice(0, 80)).toBe('invalid');
    }
    // A well-formed one still gets probabilities.
    const ok = (await ask({ deviceId: 'x', window: new Float32Array(384) })) as { probs?: Float32Array };
    expect(ok.probs).toBeInstanceOf(Float32Array);
  });

  it('ignores garbage heartbeats, device lists, watch sets and predictions, and keeps serving a device', async () => {
    const junk: unknown[] = [
      null,
      1,
      'x',
      [],
      {},
      { nodeId: 5 },
      { role: 'gateway', nodeId: 'g', load: null },
      { nodeId: 'evil', role: 'inference', load: {}, model: { classes: 'nope', windowSize: -1 } },
      { gatewayId: 'evil', devices: 'all' },
      { gatewayId: 'evil', devices: [null, 1, { deviceId: 7 }] },
      { nodeId: 'evil', watching: 42 },
      { type: 'prediction' },
      { type: 'prediction', deviceId: 9 },
    ];
    for (const j of junk) {
      bus.publish(NODES_HEARTBEAT_SUBJECT, j);
      bus.publish(devicesSubject('evil'), j);
      bus.publish(watchingSubject('evil'), j);
      bus.publish(predictionsSubject('phone-h'), j);
    }
    await new Promise((r) => setTimeout(r, 100));
    const summary = gateway.server.parts.cluster!.summary();
    expect(summary.members.map((m) => m.nodeId).sort()).toEqual(['gateway-h', 'inference-h']); // no 'evil' member
    expect(gateway.server.parts.cluster!.remoteDevices()).toEqual([]); // malformed device entries dropped

    const device = await TestClient.connect(gateway.wsUrl('/ws/device'), 'msgpack');
    device.send({ type: 'hello', deviceId: 'phone-h', rateHz: 50, units: 'g' });
    await device.count('welcome', 1);
    for (const f of toFrames(labelledRecording([['walking', 8]]), 25)) device.send(f);
    await device.count('prediction', 5);
    expect(device.of('error')).toEqual([]);
    await device.close();
  });
});
