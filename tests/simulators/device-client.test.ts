import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVITIES, type PredictionMessage } from '../../protocol/sensor-messages.js';
import { DeviceClient } from '../../simulators/device-client.js';
import { SyntheticPhone } from '../../simulators/synthetic-phone.js';
import { startLoopbackServer, type LoopbackServer } from './loopback-server.js';

let srv: LoopbackServer;
beforeAll(async () => {
  srv = await startLoopbackServer();
});
afterAll(async () => {
  await srv?.close();
});

async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(['json', 'msgpack'] as const)('device client over %s', (encoding) => {
  it('is welcomed, streams samples and receives predictions with both latencies', async () => {
    const predictions: { p: PredictionMessage; clientMs: number | undefined }[] = [];
    const client = await DeviceClient.connect({
      url: srv.deviceUrl,
      encoding,
      hello: { deviceId: `client-test-${encoding}`, rateHz: 50, units: 'g', source: 'simulator', hasLabels: true },
      onPrediction: (p, clientMs) => predictions.push({ p, clientMs }),
    });
    expect(client.welcome).toMatchObject({ type: 'welcome', deviceId: `client-test-${encoding}`, windowSize: 128, hop: 64, rateHz: 50 });
    expect(client.welcome.classes).toEqual([...ACTIVITIES]);

    // 6 s of walking in frames of 5 samples: (300 - 128) / 64 + 1 = 3 windows.
    const phone = new SyntheticPhone({ seed: 1, script: [{ activity: 'walking', seconds: 60 }] });
    for (let i = 0; i < 60; i++) client.send(phone.next(5));
    await waitFor(() => predictions.length >= 3, '3 predictions');
    await new Promise((r) => setTimeout(r, 200));
    expect(predictions).toHaveLength(3);
    for (const { p, clientMs } of predictions) {
      expect(p.deviceId).toBe(`client-test-${encoding}`);
      expect(p.label).toBe('walking'); // the stand-in model sees the gait
      expect(p.truth).toBe('walking'); // labels travelled with the samples
      expect(p.probs).toHaveLength(ACTIVITIES.length);
      expect(p.latencyMs).toBeGreaterThanOrEqual(0);
      expect(clientMs).toBeGreaterThanOrEqual(0);
    }
    // Windows end on samples 128, 192, 256 (device clock: 20 ms apart from 0).
    expect(predictions.map((x) => x.p.windowEnd)).toEqual([127 * 20, 191 * 20, 255 * 20]);
    expect(client.stats).toMatchObject({ framesSent: 60, samplesSent: 300, predictions: 3 });
    expect(client.stats.bytesSent).toBeGreaterThan(60 * 50);
    await client.close();
    expect(client.closed).toBe(true);
  });

  it('reports the server errors it gets', async () => {
    const errors: string[] = [];
    const client = await DeviceClient.connect({ url: srv.deviceUrl, encoding, hello: { deviceId: `client-err-${encoding}`, rateHz: 50, units: 'g' }, onError: (e) => errors.push(e.code) });
    client.send({ t: [0, 20], x: [100, 0], y: [0, 0], z: [1, 1] }); // 100 g is out of range
    await waitFor(() => errors.length > 0, 'an error');
    expect(errors[0]).toBe('out-of-range');
    expect(client.stats.errors['out-of-range']).toBe(1);
    await client.close();
  });
});

describe('device client connection failures', () => {
  it('rejects clearly when nothing listens', async () => {
    await expect(DeviceClient.connect({ url: 'ws://127.0.0.1:1/ws/device', hello: { deviceId: 'nobody', rateHz: 50, units: 'g' }, connectTimeoutMs: 3000 })).rejects.toThrow(/cannot connect|closed/);
  });

  it('rejects when the server refuses the hello', async () => {
    await expect(DeviceClient.connect({ url: srv.deviceUrl, hello: { deviceId: 'bad id with spaces', rateHz: 50, units: 'g' } })).rejects.toThrow(/refused|closed/);
  });
});
