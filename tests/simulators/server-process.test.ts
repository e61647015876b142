import { describe, expect, it } from 'vitest';
import { DeviceClient } from '../../simulators/device-client.js';
import { startServerProcess } from '../../simulators/server-process.js';
import { snapshotDelta } from '../../simulators/server-snapshot.js';
import { SyntheticPhone } from '../../simulators/synthetic-phone.js';

describe('load-test server in a child process', () => {
  it('starts, serves a device, reports snapshots over IPC and stops', async () => {
    const server = await startServerProcess({ harModel: 'untrained', backend: 'wasm', liftRateLimit: true });
    try {
      expect(server.deviceUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws\/device$/);
      expect(server.pid).not.toBe(process.pid);
      const before = await server.snapshot();
      let predictions = 0;
      const client = await DeviceClient.connect({ url: server.deviceUrl, hello: { deviceId: 'child-test', rateHz: 50, units: 'g' }, onPrediction: () => predictions++ });
      const phone = new SyntheticPhone({ seed: 3 });
      for (let i = 0; i < 40; i++) client.send(phone.next(8)); // 320 samples: 4 windows
      const deadline = Date.now() + 20_000;
      while (predictions < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await client.close();
      const after = await server.snapshot();
      expect(predictions).toBe(4);
      expect(after.windows - before.windows).toBe(4);
      expect(after.predictions - before.predictions).toBe(4);
      expect(after.rssMb).toBeGreaterThan(20);
      // The parts of the RSS V8 knows of: used within reserved, reserved = the sum of the heap's spaces.
      expect(after.heapUsedMb).toBeGreaterThan(1);
      expect(after.heapUsedMb).toBeLessThanOrEqual(after.heapTotalMb);
      expect(after.heapTotalMb).toBeLessThan(after.rssMb);
      expect(after.externalMb).toBeGreaterThan(0);
      const spacesMb = Object.values(after.heapSpacesMb).reduce((sum, mb) => sum + mb, 0);
      expect(after.heapSpacesMb).toHaveProperty('old_space');
      expect(spacesMb).toBeCloseTo(after.heapTotalMb, 0);
      expect(after.backend).toBe('wasm');
      const d = snapshotDelta(before, after);
      expect(d.meanBatch).toBeGreaterThanOrEqual(1);
      expect(d.seconds).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
    await expect(server.snapshot()).rejects.toThrow(/gone|exited/);
  });

  it('reports a server that cannot start', async () => {
    await expect(startServerProcess({ harModel: 'trained', harModelDir: '/nonexistent/har-model', backend: 'wasm' })).rejects.toThrow(/failed to start|exited/);
  });
});
