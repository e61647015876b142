// A server for simulators and benchmarks, in this process: buildServer on 127.0.0.1 with a
// free port, no demo phones. Load runs lift the per-device rate limit (replays at max speed
// would otherwise be throttled to 2x the fastest real-time rate) and raise the device cap.
import { buildServer, type SensoriumServer } from '../server/app.js';
import { makeConfig, type ConfigOverrides, type HarModelMode } from '../server/config.js';

export interface LocalServerOptions {
  backend?: string;
  harModelDir?: string;
  /** 'trained' fails without a trained model; 'auto' falls back to an untrained one. */
  harModel?: HarModelMode;
  /** Kept for callers that think in yes/no: true means harModel 'auto'. */
  allowUntrainedModel?: boolean;
  maxDevices?: number;
  liftRateLimit?: boolean;
  /** Anything else to change (batching, pipeline…). */
  overrides?: ConfigOverrides;
  log?: (message: string) => void;
}

export interface LocalServer {
  /** ws://127.0.0.1:PORT/ws/device */
  deviceUrl: string;
  /** http://127.0.0.1:PORT */
  httpUrl: string;
  server: SensoriumServer;
  close(): Promise<void>;
}

/** The config overrides a local load-test server runs with (shared with the child-process server). */
export function localServerOverrides(opts: LocalServerOptions): ConfigOverrides {
  const harModel = opts.harModel ?? (opts.allowUntrainedModel ? 'auto' : 'trained');
  const o: ConfigOverrides = { ...opts.overrides, port: 0, host: '127.0.0.1', demo: false, harModel };
  if (opts.backend !== undefined) o.backend = opts.backend;
  if (opts.harModelDir !== undefined) o.harModelDir = opts.harModelDir;
  if (opts.maxDevices !== undefined) o.maxDevices = opts.maxDevices;
  if (opts.liftRateLimit) o.rateLimit = { ...opts.overrides?.rateLimit, samplesPerSec: 1e9, burstSamples: 1e9 };
  return o;
}

export async function startLocalServer(opts: LocalServerOptions = {}): Promise<LocalServer> {
  const config = makeConfig(localServerOverrides(opts));
  const server = await buildServer(config, { warn: (m) => (opts.log ?? console.error)(`warning: ${m}`) });
  // A server without its HAR model still starts (other services keep serving) but refuses
  // devices: a load run or replay against it is pointless, so say why now.
  if (server.parts.harUnavailable) {
    await server.close();
    throw new Error(`${server.parts.harUnavailable}${config.harModel === 'trained' ? ' (or allow an untrained model: --allow-untrained)' : ''}`);
  }
  const httpUrl = await server.listen();
  return { deviceUrl: `${httpUrl.replace(/^http/, 'ws')}/ws/device`, httpUrl, server, close: () => server.close() };
}
