// Builds the Sensorium server: Fastify with one plugin per route group, WebSockets on its HTTP(S)
// server, one shared HAR classifier behind the dynamic batcher, access control, metrics, the
// recording store, and an orderly shutdown. Tests call buildServer with port 0 and talk to it
// over loopback.
import { round2 } from '../lib/round.js';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { initBackend } from '../models/runtime/backend.js';
import { batchingForBackend } from '../models/runtime/batching-defaults.js';
import { DEFAULT_CONFIG } from './config/parse.js';
import { ConfigError, type ServerConfig } from './config.js';
import type { ModelStatus } from './model-status.js';
import { threadMemory, type ThreadMemory } from '../models/runtime/thread-memory.js';
import { DashboardHub } from './dashboards/dashboard-hub.js';
import { DeviceRegistry } from './devices/device-registry.js';
import { DeviceSession, type DeviceSessionDeps } from './devices/device-session.js';
import { DEFAULT_LOAD_SHEDDING, LoadShedder, windowCountsOf } from './devices/load-shedder.js';
import { SensorLoggerDevices } from './devices/sensor-logger.js';
import { SessionStore, type SessionStoreDeps } from './devices/session-store.js';
import { LocalFeed, type LiveFeed, type PredictionSink } from './fan-out/live-feed.js';
import type { Bus } from './bus/bus.js';
import { ClusterNode } from './cluster/cluster-node.js';
import type { ClusterSummary, ClusterView } from './cluster/cluster-view.js';
import type { ClusterStats } from '../protocol/sensor-messages.js';
import type { WindowInference } from './inference/window-inference.js';
import type { NodeRole } from '../protocol/bus-subjects.js';
import { PersonalModels } from './calibration/personal-models.js';
import { HarInference, type WindowClassifier } from './inference/har-inference.js';
import { loadServedHarModel } from './inference/serve-har-model.js';
import { ServerMetrics } from './metrics/server-metrics.js';
import { dashboardSocketPlugin } from './plugins/dashboard-socket.js';
import { deviceSocketPlugin } from './plugins/device-socket.js';
import { healthPlugin, inferenceWorkerHealth, readinessProblems, type HealthSources } from './plugins/health.js';
import { metricsPlugin } from './plugins/metrics.js';
import { openApiPlugin } from './plugins/openapi.js';
import { installErrorShape } from './http/error-shape.js';
import { recordingsPlugin } from './plugins/recordings.js';
import { sensorLoggerPlugin } from './plugins/sensor-logger.js';
import { phoneLinkPlugin } from './plugins/phone-link.js';
import { modelsPlugin } from './plugins/models.js';
import { clientStaticPlugin } from './plugins/client-static.js';
import { textPlugin } from './plugins/text.js';
import { imageLabPlugin } from './plugins/images-lab.js';
import type { ImageModelCache } from './images/model-cache.js';
import { RecordingManager } from './recording/recording-manager.js';
import type { RecordingFiles } from './recording/recording-files.js';
import { watchOperations } from './metrics/operations-metrics.js';
import { Auth } from './security/auth.js';
import { exposureProblem, isLoopbackHost } from './security/exposure.js';
import { BodyBudget, installBodyBudget } from './http/body-budget.js';
import { installExpensiveRouteGates } from './http/expensive-routes.js';
import { ClientAddress } from './security/client-address.js';
import { HostPolicy } from './security/host-allowlist.js';
import { installHttpAccessControl } from './security/http-access.js';
import { redactingLogger } from './security/log-redaction.js';
import { quietPollingRoutes } from './http/quiet-polling-routes.js';
import { OriginPolicy } from './security/origin.js';
import { loadTls, type TlsMaterial } from './security/tls.js';
import type { TextService } from './text/text-service.js';
import { ServerStats } from './stats/server-stats.js';
import { UpgradeRouter } from './ws/upgrade-router.js';
import { httpTimeoutOptions } from './http-timeouts.js';
import { closeWithinDeadline } from './shutdown-deadline.js';

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
  /** File operations of recordings (tests put a failing or stalled disk here). */
  recordingFiles?: RecordingFiles;
  /** Membership of a cluster (server/cluster/): without it, one process serves everything with no bus. */
  cluster?: ClusterMembership;
}

/** This process's place in a cluster: the bus it talks on, its role and its name there. */
export interface ClusterMembership {
  /** The caller's (main.ts connects it; tests may share one in-process bus between servers); it outlives the server. */
  bus: Bus;
  /** gateway: sockets, HTTP and pipelines up to windows; inference: the batcher and model; all: both. */
  role: NodeRole;
  nodeId: string;
  /** How long one inference member may take to answer a window before it goes to another, ms. */
  requestTimeoutMs: number;
}

/**
 * The server's parts, for its owner (main, simulators, tests) to observe. The parts themselves
 * never see this: each got its own dependencies.
 */
export interface ServerParts {
  /** What device sessions classify with: the local batcher, or the bus client of remote inference members (gateways). */
  inference: WindowInference;
  /** The batcher in front of this process's classifier; absent on a gateway (its model runs elsewhere). */
  harInference: HarInference | undefined;
  /** The cluster as this node sees it (absent without --bus). */
  cluster: ClusterView | undefined;
  personal: PersonalModels;
  registry: DeviceRegistry;
  sessions: SessionStore;
  /** Sheds the newest devices under overload. */
  shedder: LoadShedder;
  recordings: RecordingManager;
  stats: ServerStats;
  /** The tfjs backend in use (e.g. 'wasm'). */
  backend: string;
  /** Set when the HAR model could not be loaded: devices are refused with this reason. */
  harUnavailable: string | undefined;
}

/** The server's threads: main, and its workers (HAR inference, the text models' steps, the image models). */
export type ServerThread = 'main' | 'inference' | 'text' | 'images';

export interface SensoriumServer {
  app: FastifyInstance;
  parts: ServerParts;
  /** WebSocket endpoints; other services add theirs with router.add(path, handler, opts). */
  router: UpgradeRouter;
  metrics: ServerMetrics;
  /** Each thread's tensors, V8 heap and WASM memory: this one, and each worker thread that runs (where the RSS is). */
  threadMemory(): Promise<Partial<Record<ServerThread, ThreadMemory>>>;
  /** HTTPS certificate in use (undefined: plain HTTP). */
  tls?: TlsMaterial;
  /** Starts listening on config.host:config.port (0 = any free port); resolves to http(s)://host:port. */
  listen(): Promise<string>;
  /**
   * Graceful stop: refuse new connections, let every device's pipeline finish (its last
   * predictions are sent), close sockets with 1001, flush recordings, release the model.
   */
  close(): Promise<void>;
}

export async function buildServer(config: ServerConfig, opts: BuildOptions = {}): Promise<SensoriumServer> {
  const exposure = exposureProblem(config.host, config.authTokens);
  if (exposure) throw new ConfigError(exposure);
  const log = opts.log ?? ((m: string) => console.error(m));
  const warn = opts.warn ?? ((m: string) => log(`warning: ${m}`));
  const tls = config.tls ? await loadTls(config.tls) : undefined;
  const warnings: string[] = [];
  let classifier = opts.classifier;
  let modelStatus = opts.modelStatus;
  let harUnavailable: string | undefined;
  let ownsClassifier = false;
  const cluster = opts.cluster;
  const role: NodeRole = cluster?.role ?? 'all';
  // A gateway's model runs in the inference members; an inference member has no sockets of devices.
  const servesInference = role !== 'gateway';
  const servesDevices = role !== 'inference';
  // Once per process: a later call returns the backend chosen first.
  const backend = await initBackend(config.backend, log);
  if (!classifier && servesInference) {
    // In a worker thread when that helps (server/inference/serve-har-model.ts).
    const loaded = await loadServedHarModel(config, backend.name, warn);
    classifier = loaded.classifier;
    modelStatus = loaded.status;
    harUnavailable = loaded.unavailable;
    ownsClassifier = true;
    if (loaded.warning) warnings.push(loaded.warning);
  }
  for (const w of warnings) warn(w);

  const timeouts = httpTimeoutOptions(config.http);
  const fastifyOptions: FastifyServerOptions = {
    // Every log line passes a filter that blanks tokens (URLs, headers, cookies): security/log-redaction.ts.
    logger: redactingLogger(opts.logger),
    // Correlate with a proxy's request id when there is one; Fastify's own ids otherwise.
    requestIdHeader: 'x-request-id',
    // WebSockets and streamed responses are closed by our own shutdown, not cut by Fastify.
    forceCloseConnections: 'idle',
    // Its 503 while closing has another shape than every other error: error-shape.ts answers instead.
    return503OnClosing: false,
    // Slow or idle HTTP clients cannot hold connections for free (server/http-timeouts.ts).
    ...timeouts.fastify,
    // req.ip (in logs) is the client behind the configured proxies, like the WebSocket limits see it.
    ...(config.trustedProxies.length > 0 ? { trustProxy: config.trustedProxies } : {}),
  };
  const app = (tls
    ? Fastify({ ...(fastifyOptions as object), https: { key: tls.key, cert: tls.cert, ...timeouts.server } })
    : Fastify({ ...fastifyOptions, http: timeouts.server })) as unknown as FastifyInstance;
  // One error shape for every route, 404s and schema failures included; routes listed at /api/openapi.json.
  installErrorShape(app);
  // /api/health, /metrics and the recordings list log their requests only at debug.
  quietPollingRoutes(app);
  await app.register(openApiPlugin);
  const metrics = new ServerMetrics();
  const auth = new Auth(config.authTokens);
  const origins = new OriginPolicy(config.allowedOrigins);
  const hosts = new HostPolicy({ bindHost: config.host, allowedHosts: config.allowedHosts });
  // Off loopback, say which names answer: a phone or proxy using another name gets 421.
  if (!isLoopbackHost(config.host)) log(`sensorium: serving the Host names ${hosts.describe()} (more: --allowed-hosts)`);
  const clientAddress = new ClientAddress(config.trustedProxies);

  // The parts of the server, each given only what it uses (no shared context object).
  // inference: the batcher in front of the classifier; fan-out: predictions and signal to
  // dashboards; ingest: device sessions (their pipelines up to windows) and connections.
  // With a bus, the same interfaces are answered across processes (server/cluster/cluster-node.ts).
  let listeningAt: string | undefined;
  const harInference = classifier && servesInference ? new HarInference(classifier, batchingForBackend(backend.name, config.batching, DEFAULT_CONFIG.batching), metrics.onBatch) : undefined;
  const registry = new DeviceRegistry(config.maxDevices);
  const localFeed = new LocalFeed(registry);
  const node = cluster
    ? new ClusterNode(cluster, {
        harInference,
        harUnavailable: () => harUnavailable,
        harTrained: modelStatus?.trained ?? false,
        registry,
        localFeed,
        batching: config.batching,
        log: app.log,
        httpUrl: () => listeningAt,
      })
    : undefined;
  const inference: WindowInference = node?.inference ?? harInference!;
  const feed: PredictionSink & LiveFeed = node?.feed ?? localFeed;
  const personal = new PersonalModels(config.personal, harUnavailable === undefined ? classifier?.headWeights?.bind(classifier) : undefined, (m) => app.log.info(m));
  const recordings = new RecordingManager(config.recording, { log: app.log, ...(opts.recordingFiles ? { files: opts.recordingFiles } : {}) });
  const stats = new ServerStats(metrics.statsObserver);
  const startedAt = performance.now();
  const unavailable = () => node?.devicesRefused() ?? harUnavailable;
  const sessionDeps: DeviceSessionDeps = {
    claims: registry,
    inference,
    personal,
    fanOut: feed,
    recordings,
    stats,
    log: app.log,
    backend: backend.name,
    limits: config.limits,
    pipeline: config.pipeline,
    signal: { hz: config.dashboard.signalHz, intervalMs: config.dashboard.signalIntervalMs },
  };
  const openSession: SessionStoreDeps['openSession'] = (hello, o, carried) => DeviceSession.open(hello, sessionDeps, o, carried);
  const sessions = new SessionStore({
    openSession,
    graceMs: config.reconnectGraceMs,
    rateLimit: config.rateLimit,
    ...(node?.sessions && cluster ? { directory: { sessions: node.sessions, gatewayId: cluster.nodeId } } : {}),
  });
  // Sheds the newest streaming devices when the event loop or inference cannot keep up; device
  // connections put themselves forward once their session streams (devices/load-shedder.ts).
  const shedder = new LoadShedder(
    undefined,
    DEFAULT_LOAD_SHEDDING,
    (e) => app.log.warn({ lagMs: Math.round(e.lagMs), shedTotal: e.shed }, e.overloaded ? 'overloaded: shedding the newest devices' : 'load back to normal: admitting devices'),
    () => windowCountsOf(inference.stats()),
  );
  node?.watchLoad(() => ({ devices: registry.size, windowsPerSec: round2(stats.windowsPerSec()) }));
  const hub = new DashboardHub({
    feed,
    auth,
    config,
    stats: () => {
      const batching = inference.stats();
      const latency = stats.latencyMs();
      return {
        backend: backend.name,
        devices: registry.size,
        windowsPerSec: round2(stats.windowsPerSec()),
        meanBatch: round2(batching.meanBatch),
        queueDepth: batching.queueDepth,
        latencyMs: { p50: round2(latency.p50), p99: round2(latency.p99) },
        ...(node ? { cluster: clusterStats(node.view.summary()) } : {}),
      };
    },
  });
  const sensorLogger = new SensorLoggerDevices({ openSession, rateLimits: sessions.rateLimits, stats, config });
  const parts: ServerParts = { inference, harInference, cluster: node?.view, personal, registry, sessions, shedder, recordings, stats, backend: backend.name, harUnavailable };
  const router = new UpgradeRouter(config.heartbeatMs, {
    auth,
    origins,
    hosts,
    maxConnections: config.maxConnections,
    maxConnectionsPerIp: config.maxConnectionsPerIp,
    exemptLoopbackFromIpLimit: config.exemptLoopbackFromIpLimit,
    clientAddress,
    onRefused: (reason, req, detail) => {
      metrics.refusedConnection(reason);
      app.log.info({ reason, ip: clientAddress.of(req), path: (req.url ?? '').split('?')[0], detail }, 'websocket refused');
    },
    onConnection: (path) => metrics.openedConnection(path),
  });
  const workerHealth = () => inferenceWorkerHealth(classifier);
  // The inference worker's memory (WorkerClassifier.memory); a classifier in this thread has none of its own.
  const inferenceMemory = () => (classifier as { memory?: () => Promise<ThreadMemory> } | undefined)?.memory?.();
  const problems = () => [...readinessProblems({ harUnavailable, worker: workerHealth(), disk: recordings.diskProblem }), ...(node?.problems() ?? [])];
  metrics.watch({
    connections: () => router.connections(),
    devices: () => registry.size,
    detachedSessions: () => sessions.detachedCount,
    queueDepth: () => inference.queueDepth,
    dashboardMessagesDropped: () => hub.droppedMessages(),
    recordingsActive: () => recordings.activeCount,
    inferenceTfMemory: inferenceMemory,
    textTfMemory: () => textService?.stepWorker.memory(),
  });

  watchOperations(metrics.registry, {
    recordingFailures: () => recordings.failures,
    recordingFramesDropped: () => recordings.droppedFrames,
    ready: () => problems().length === 0,
    inferenceWorker: workerHealth,
  });
  router.attach(app.server);
  installHttpAccessControl(app, auth, origins, hosts, tls !== undefined);
  installBodyBudget(app, clientAddress, new BodyBudget({ bytesPerSec: config.httpBodyBytesPerSec }));
  // Image models and text generation: fair turns per client, a bounded share of the event loop (server/http/).
  installExpensiveRouteGates(app, clientAddress);
  let textService: TextService | undefined;
  let imageModels: ImageModelCache | undefined;
  const healthSources: HealthSources = {
    auth,
    backend: backend.name,
    ...(backend.adapter ? { adapter: backend.adapter } : {}),
    startedAt,
    // A gateway's model runs in the inference members: it lists what they announced.
    models: () => [node && !servesInference ? node.remoteModelStatus() : (modelStatus ?? { name: 'har', loaded: true, trained: false })],
    warnings,
    problems,
    inference: () => inference.stats(),
    worker: workerHealth,
    stats,
    devicesConnected: () => registry.size,
    dashboards: () => ({ connected: hub.size, droppedMessages: hub.droppedMessages() }),
    cluster: () => node?.view.summary(),
  };
  await app.register(healthPlugin, { sources: healthSources, otherModels: () => [...(textService?.modelStatus() ?? []), ...(imageModels?.status() ?? [])] });
  await app.register(metricsPlugin, { metrics });
  // An inference member serves /api/health and /metrics only: it takes windows from the bus.
  if (servesDevices) await registerGatewayRoutes();
  async function registerGatewayRoutes(): Promise<void> {
    await app.register(deviceSocketPlugin, { connections: { sessions, shedder, auth, stats, log: app.log, harUnavailable: unavailable, config }, router });
    await app.register(dashboardSocketPlugin, { hub, router, maxFrameBytes: 64 * 1024 });
    await app.register(sensorLoggerPlugin, { settings: config.sensorLogger, auth, harUnavailable: unavailable, devices: sensorLogger });
    await app.register(phoneLinkPlugin, { host: config.host, secure: tls !== undefined, auth });
    await app.register(modelsPlugin, {});
    await app.register(recordingsPlugin, { recordings, log: app.log, findSession: (id) => sessions.get(id) ?? sensorLogger.session(id) });
    // Other route groups (server/plugins/images*, server/plugins/text*) register here.
    // ---- text: /ws/text, POST /api/text/generate, GET /api/text/models (server/plugins/text.ts) ----
    await app.register(textPlugin, { router, config: config.text, backend: backend.name, onService: (s) => (textService = s), onError: (code) => metrics.textError(code) });

    // ---- image lab: /api/images, /api/vae, /api/gan; models load on first use (server/plugins/images-lab.ts) ----
    await app.register(imageLabPlugin, { onCache: (c) => (imageModels = c) });

    // ---- browser client: client/dist at / (server/plugins/client-static.ts) ----
    await app.register(clientStaticPlugin, {});
  }

  // Shutdown, in order: no new sockets; every device pipeline finishes while its socket is still
  // open (so its last predictions arrive); then sockets close with 1001; recordings are flushed.
  app.addHook('preClose', async () => {
    router.stopAccepting();
    shedder.stop();
    const unfinished = await sessions.closeAll(config.shutdownDrainMs);
    if (unfinished > 0) app.log.warn({ unfinished }, 'shutdown: some device pipelines did not finish in time');
    await sensorLogger.close();
    await router.close();
    hub.close();
    await recordings.close();
  });
  app.addHook('onClose', async () => {
    await node?.close();
    await harInference?.close();
    localFeed.close();
    registry.close();
    metrics.close();
    if (ownsClassifier) await classifier?.dispose();
  });

  const server: SensoriumServer = {
    app,
    parts,
    router,
    metrics,
    threadMemory: async () => {
      const ask = (read: Promise<ThreadMemory> | undefined) => read?.catch(() => undefined);
      const [inferenceMem, textMem, imagesMem] = await Promise.all([ask(inferenceMemory()), ask(textService?.stepWorker.memory()), ask(imageModels?.memory())]);
      // A worker that does not run, or does not answer, is left out.
      return { main: threadMemory(), ...(inferenceMem && { inference: inferenceMem }), ...(textMem && { text: textMem }), ...(imagesMem && { images: imagesMem }) };
    },
    listen: () =>
      app.listen({ port: config.port, host: config.host }).then(() => {
        listeningAt = serverUrl(app, tls !== undefined);
        return listeningAt;
      }),
    // With a deadline: connections still open then (slow requests) are cut (server/shutdown-deadline.ts).
    close: () =>
      closeWithinDeadline(
        () => app.close(),
        config.shutdownTimeoutMs,
        () => app.server.closeAllConnections(),
        app.log,
      ),
  };
  if (tls) server.tls = tls;
  return server;
}

/** The cluster as dashboards show it: counts, without each member's details. */
function clusterStats(summary: ClusterSummary): ClusterStats {
  const { nodeId, gateways, inferenceMembers, devicesByGateway } = summary;
  return { nodeId, gateways, inferenceMembers, devicesByGateway };
}

function serverUrl(app: FastifyInstance, secure: boolean): string {
  const address = app.server.address();
  if (address === null || typeof address === 'string') return String(address);
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${secure ? 'https' : 'http'}://${host}:${address.port}`;
}
