// A real Sensorium server on 127.0.0.1 (free port) for the simulator tests, serving a tiny
// deterministic stand-in classifier so that tests need no TensorFlow and can check labels:
// a window whose |a| varies (sd > 0.1 g) is 'walking', a still one 'sitting'.
import { ACTIVITIES } from '../../protocol/sensor-messages.js';
import { buildServer, type SensoriumServer } from '../../server/app.js';
import { makeConfig, type ConfigOverrides } from '../../server/config.js';
import type { WindowClassifier } from '../../server/inference/har-inference.js';

export const standInClassifier: WindowClassifier = {
  classes: ACTIVITIES,
  windowSize: 128,
  hop: 64,
  rateHz: 50,
  predict(windows: Float32Array, n: number): Float32Array {
    const k = ACTIVITIES.length;
    const out = new Float32Array(n * k);
    for (let w = 0; w < n; w++) {
      let sum = 0;
      let sumSq = 0;
      for (let i = 0; i < 128; i++) {
        const o = (w * 128 + i) * 3;
        const m = Math.hypot(windows[o]!, windows[o + 1]!, windows[o + 2]!);
        sum += m;
        sumSq += m * m;
      }
      const sd = Math.sqrt(Math.max(0, sumSq / 128 - (sum / 128) ** 2));
      out[w * k + ACTIVITIES.indexOf(sd > 0.1 ? 'walking' : 'sitting')] = 1;
    }
    return out;
  },
  dispose() {},
};

export interface LoopbackServer {
  server: SensoriumServer;
  deviceUrl: string;
  close(): Promise<void>;
}

export async function startLoopbackServer(overrides: ConfigOverrides = {}): Promise<LoopbackServer> {
  const config = makeConfig({ port: 0, host: '127.0.0.1', demo: false, ...overrides, pipeline: { smoothing: { kind: 'none' }, ...overrides.pipeline } });
  const server = await buildServer(config, { classifier: standInClassifier, warn: () => {} });
  const url = await server.listen();
  return { server, deviceUrl: `${url.replace(/^http/, 'ws')}/ws/device`, close: () => server.close() };
}
