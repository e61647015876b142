// Builds the Sensorium server: Fastify with one plugin per route group, WebSockets on its HTTP
// server, one shared HAR classifier behind the dynamic batcher. Tests call buildServer with
// port 0 and talk to it over loopback.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { initBackend } from '../models/runtime/backend.js';
import type { ServerConfig } from './config.js';
import type { ModelStatus, ServerContext } from './context.js';
import { DashboardHub } from './dashboards/dashboard-hub.js';
import { DeviceRegistry } from './devices/device-registry.js';
import { SensorLoggerDevices } from './devices/sensor-logger.js';
import { HarInference, type WindowClassifier } from './inference/har-inference.js';
import { loadHarModel } from './inference/load-har-model.js';
import { dashboardSocketPlugin } from './plugins/dashboard-socket.js';
import { deviceSocketPlugin } from './plugins/device-socket.js';
import { healthPlugin } from './plugins/health.js';
import { sensorLoggerPlugin } from './plugins/sensor-logger.js';
import { clientStaticPlugin } from './plugins/client-static.js';
import { textPlugin } from './plugins/text.js';
import { imageLabPlugin } from './plugins/images-lab.js';
import { textConfigFromEnv } from './text/text-config.js';
import { ServerStats } from './stats/server-stats.js';
import { UpgradeRouter } from './ws/upgrade-router.js';

export interface BuildOptions {
  /** Serve this classifier instead of loading one (tests); the caller keeps ownership. */
  classifier?: WindowClassifier;
  /** Its status for /api/health (default: an untrained 'har'). */
  modelStatus?: ModelStatus;
  /** Fastify logger settings (default: off). */
  logger?: FastifyServerOptions['logger'];
  /** Where the backend line (and warnings, unless `warn` is given) go (default: stderr). */
  log?: (message: string) => void;
  /** Where startup warnings go (default: `log`, prefixed 'warning: '). */
  warn?: (message: string) => void;
}

export interface SensoriumServer {
  app: FastifyInstance;
  ctx: ServerContext;
  /** WebSocket endpoints; other services add theirs with router.add(path, handler, opts). */
  router: UpgradeRouter;
  /** Starts listening on config.host:config.port (0 = any free port); resolves to http://host:port. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export async function buildServer(config: ServerConfig, opts: BuildOptions = {}): Promise<SensoriumServer> {
  const log = opts.log ?? ((m: string) => console.error(m));
  const warn = opts.warn ?? ((m: string) => log(`warning: ${m}`));
  const warnings: string[] = [];
  let classifier = opts.classifier;
  let modelStatus = opts.modelStatus;
  let ownsClassifier = false;
  // Once per process: a later call returns the backend chosen first.
  const backend = await initBackend(config.backend, log);
  if (!classifier) {
    const loaded = await loadHarModel(config.harModel, config.harModelDir);
    classifier = loaded.classifier;
    modelStatus = loaded.status;
    ownsClassifier = true;
    if (loaded.warning) warnings.push(loaded.warning);
  }
  for (const w of warnings) warn(w);

  let hub: DashboardHub | undefined;
  const ctx: ServerContext = {
    config,
    inference: new HarInference(classifier, config.batching),
    registry: new DeviceRegistry(config.maxDevices),
    stats: new ServerStats(),
    backend: backend.name,
    startedAt: performance.now(),
    models: [modelStatus ?? { name: 'har', loaded: true, trained: false }],
    warnings,
    dashboards: () => ({ connected: hub?.size ?? 0, droppedMessages: hub?.droppedMessages() ?? 0 }),
  };
  hub = new DashboardHub(ctx);
  const sensorLogger = new SensorLoggerDevices(ctx);
  const router = new UpgradeRouter(config.heartbeatMs);

  const app = Fastify({ logger: opts.logger ?? false });
  router.attach(app.server);
  await app.register(healthPlugin, { ctx });
  await app.register(deviceSocketPlugin, { ctx, router });
  await app.register(dashboardSocketPlugin, { hub, router, maxFrameBytes: 64 * 1024 });
  await app.register(sensorLoggerPlugin, { ctx, devices: sensorLogger });
  // Other route groups (server/plugins/images*, server/plugins/text*) register here.
  // ---- text: /ws/text, POST /api/text/generate, GET /api/text/models (server/plugins/text.ts) ----
  await app.register(textPlugin, { router, config: textConfigFromEnv() });

  // ---- image lab: /api/images, /api/vae, /api/gan; models load on first use (server/plugins/images-lab.ts) ----
  await app.register(imageLabPlugin, {});

  // ---- browser client: client/dist at / (server/plugins/client-static.ts) ----
  await app.register(clientStaticPlugin, {});

  app.addHook('preClose', async () => {
    await router.close();
    await sensorLogger.close();
    hub.close();
  });
  app.addHook('onClose', async () => {
    await ctx.inference.close();
    ctx.registry.close();
    if (ownsClassifier) classifier.dispose();
  });

  return {
    app,
    ctx,
    router,
    listen: () => app.listen({ port: config.port, host: config.host }).then(() => serverUrl(app)),
    close: () => app.close(),
  };
}

function serverUrl(app: FastifyInstance): string {
  const address = app.server.address();
  if (address === null || typeof address === 'string') return String(address);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
