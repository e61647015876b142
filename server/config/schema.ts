// The shape of the server's settings. Their names, defaults, environment variables, flags and
// docs are in the options table (server/config/options.ts); this file only says what the code gets.
import type { ProtocolLimits } from '../../protocol/sensor-messages.js';
import type { TextServiceConfig } from '../text/text-config.js';
import type { BackendChoice } from '../../models/runtime/backend.js';

/**
 * tfjs backends (models/runtime/backend.ts BACKEND_CHOICES), listed here so that reading the
 * settings does not load TensorFlow; the checks below keep both lists equal.
 */
export const BACKEND_SETTINGS = ['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const satisfies readonly BackendChoice[];
export type BackendSetting = (typeof BACKEND_SETTINGS)[number];
const everyBackendIsASetting: [Exclude<BackendChoice, BackendSetting>] extends [never] ? true : never = true;
void everyBackendIsASetting;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** auto: human-readable (pino-pretty) when stdout is a terminal, JSON lines otherwise. */
export const LOG_FORMATS = ['auto', 'pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export const SERVER_ROLES = ['all', 'gateway', 'inference'] as const;
/** all: one process does everything; gateway: sockets, HTTP and the pipeline up to windows; inference: batcher and model workers. */
export type ServerRole = (typeof SERVER_ROLES)[number];

/** The bus between the parts: in-process (one process), or NATS servers (a cluster). */
export type BusConfig = { kind: 'memory' } | { kind: 'nats'; servers: string[] };

export interface ClusterConfig {
  bus: BusConfig;
  role: ServerRole;
  /** This process's name in the cluster: letters, digits, - and _ (it is a NATS subject token). */
  nodeId: string;
  /** How long a gateway waits for an inference reply before it retries another member, ms. */
  requestTimeoutMs: number;
}

export const INFERENCE_WORKER_MODES = ['auto', 'on', 'off'] as const;
export type InferenceWorkerMode = (typeof INFERENCE_WORKER_MODES)[number];

export interface BatchingConfig {
  /** Largest inference batch (windows). */
  maxBatch: number;
  /** Longest a window waits for others before its batch runs, ms. */
  maxDelayMs: number;
  /** Windows allowed to wait; beyond it devices get `overloaded` errors. */
  maxQueue: number;
}

export type SmoothingConfig =
  | { kind: 'none' }
  /** Exponential moving average: smoothed = alpha * new + (1 - alpha) * previous. */
  | { kind: 'ema'; alpha: number }
  /** Mean of the last k probability vectors. */
  | { kind: 'mean'; k: number };

export interface PipelineConfig {
  /** How long a frame that arrived ahead of a missing seq waits for it, ms. */
  reorderWaitMs: number;
  /** Most frames held while waiting for a missing seq; more skip the gap at once. */
  reorderMaxFrames: number;
  /** A pause between samples longer than this restarts the windows, ms. */
  maxGapMs: number;
  /** Smoothing of probabilities over consecutive windows. */
  smoothing: SmoothingConfig;
  /** A window's truth is its majority label when at least this share of its samples carry it. */
  truthMinAgreement: number;
}

export interface DashboardConfig {
  /** Raw signal rate sent to dashboards for charts, Hz. */
  signalHz: number;
  /** Signal batches go out this often, ms. */
  signalIntervalMs: number;
  /** `stats` messages go out this often, ms. */
  statsIntervalMs: number;
}

export interface RateLimitConfig {
  /** Samples per second a device may send on average (token bucket). */
  samplesPerSec: number;
  /** Samples a device may send in one burst above that rate. */
  burstSamples: number;
  /** Error replies per second per connection; more errors are counted, not sent. */
  errorsPerSec: number;
  /**
   * Frames per second a device connection may send on average (bursts of twice that); more are
   * answered `rate-limited` and dropped. Default: samplesPerSec / 4 (100/s), so lifting the
   * sample limit for load tests lifts this one too.
   */
  framesPerSec?: number;
  /**
   * Bytes per second a device connection may have decoded (bursts of the larger of the frame-size
   * limit and 2 s of it); a frame over it is dropped `rate-limited` and the socket is not read until
   * the budget refills. Default: samplesPerSec x 320 (128 KB/s).
   */
  bytesPerSec?: number;
}

export interface RecordingConfig {
  /** Record every device stream from its hello; else only those started over HTTP. */
  all: boolean;
  /** Folder of the recordings (one NDJSON file per session). */
  dir: string;
  /** Buffered samples are written and fsynced at least this often, ms: what a crash can lose. */
  flushMs: number;
  /** Most bytes a recording holds in memory (waiting or being written) when the disk lags; beyond it frames are dropped and counted. */
  maxBufferBytes: number;
}

/** Limits for connections whose token is still to come in their first frame (hello, subscribe). */
export interface PreAuthConfig {
  /** Dashboards waiting for their subscribe's token; they do not count against maxDashboards. More are closed 1013. */
  maxDashboards: number;
  /** A dashboard without a token at the upgrade must subscribe with one within this time, ms. */
  timeoutMs: number;
  /** Frames decoded before a valid hello/subscribe; the next one closes the socket 1008. */
  maxFrames: number;
  /** Largest frame before a valid hello/subscribe; a larger one closes the socket 1009 unread. */
  maxFrameBytes: number;
}

/**
 * HTTP connection timeouts (server/http-timeouts.ts): what a client that sends slowly or not at
 * all may hold. WebSockets are not affected once upgraded.
 */
export interface HttpTimeoutsConfig {
  /** A request's headers must arrive within this, ms (slowloris). */
  headersTimeoutMs: number;
  /** A whole request (headers and body) must arrive within this, ms (answered 408). */
  requestTimeoutMs: number;
  /** A connection with no bytes either way for this long is closed, ms (covers slow responses' readers too). */
  connectionTimeoutMs: number;
  /** An idle keep-alive connection is closed after this, ms. */
  keepAliveTimeoutMs: number;
}

/** HTTPS: certificate files, or a self-signed certificate kept in a folder (server/security/certificate-store.ts). */
export type TlsConfig = { certFile: string; keyFile: string } | { selfSigned: true; /** Where the certificate is kept (default data/tls). */ dir?: string };

export interface SensorLoggerConfig {
  /** Largest accepted POST body, bytes (larger: HTTP 413). */
  maxBodyBytes: number;
  /** Most payload entries in one POST. */
  maxEntries: number;
  /** A Sensor Logger device without a POST for this long leaves the device list, ms. */
  idleMs: number;
}

/** Personal calibration (server/calibration/): where personal heads live, and what a calibration may cost. */
export interface PersonalConfig {
  /** Folder of the personal heads, one JSON file per device. */
  dir: string;
  /** Calibration windows kept per label (92 = about 2 minutes); later ones are not kept. */
  maxWindowsPerLabel: number;
  /** Heads fitted at once (each on the main thread in small slices); more wait. */
  maxConcurrentFits: number;
  /** Fits waiting; beyond it a device's personalise gets `busy`. */
  maxQueuedFits: number;
}

export const HAR_MODEL_MODES = ['auto', 'trained', 'untrained'] as const;
export type HarModelMode = (typeof HAR_MODEL_MODES)[number];

export interface ServerConfig {
  /** TCP port (0: any free port). */
  port: number;
  /** Interface to listen on. */
  host: string;
  /** tfjs backend choice (auto, wasm, cpu, ...). */
  backend: string;
  /** Start the demo phones (npm start). */
  demo: boolean;
  demoPhones: number;
  /** Fastify / pino log level. */
  logLevel: LogLevel;
  /** How log lines are written: pretty for people, JSON for machines; auto picks by stdout. */
  logFormat: LogFormat;
  /** V8's old-generation growing factor as a percentage over 1 (server/heap-growing.ts); 0 leaves V8's own. */
  heapGrowingPercent: number;
  heapCompactSeconds: number;
  /** Folder of the trained HAR model; default models/trained/har. */
  harModelDir?: string;
  /**
   * Which HAR model to serve: 'trained' (fail without one), 'untrained' (tests, load runs) or
   * 'auto' (the trained one, else an untrained one with a warning).
   */
  harModel: HarModelMode;
  /**
   * Run the HAR model in a worker thread (its own tfjs runtime) so that model calls and stream
   * ingestion use two cores: 'auto' (on with >= 2 cores and a WASM/CPU backend, when the server
   * loads the model itself), 'on', 'off'.
   */
  inferenceWorker: InferenceWorkerMode;
  /**
   * Accepted tokens (server/security/auth.ts): `scope:token` (scope device, viewer or admin) or a
   * plain token (admin). Empty: the server is open, which is allowed only when bound to loopback.
   */
  authTokens: string[];
  /** Browser origins allowed besides the server's own; '*' allows any. */
  allowedOrigins: string[];
  /**
   * Host names served besides loopback and the bound address (DNS-rebinding defence,
   * server/security/host-allowlist.ts); '*' allows any.
   */
  allowedHosts: string[];
  /** Most WebSocket connections at once, all endpoints together. */
  maxConnections: number;
  /** Most WebSocket connections at once from one IP address. */
  maxConnectionsPerIp: number;
  /**
   * Reverse proxies whose X-Forwarded-For names the client (exact addresses), for per-IP limits
   * and logs. Empty: the socket's address is the client.
   */
  trustedProxies: string[];
  /** Clients on loopback (simulators, benchmarks on this machine) skip the per-IP limit. */
  exemptLoopbackFromIpLimit: boolean;
  /** A device that reconnects with the same id within this time resumes its stream, ms (0 = never). */
  reconnectGraceMs: number;
  /** A socket that cannot be written to (too much unsent) for this long is disconnected, ms. */
  slowConsumerMs: number;
  /** At shutdown, how long pending windows may take to reach their devices, ms. */
  shutdownDrainMs: number;
  /** Shutdown deadline, ms: then connections still open (slow requests…) are cut. */
  shutdownTimeoutMs: number;
  http: HttpTimeoutsConfig;
  /** Request-body bytes per second per client address (server/http/body-budget.ts). */
  httpBodyBytesPerSec: number;
  recording: RecordingConfig;
  /** Serve HTTPS (phones need a secure context for motion sensors). */
  tls?: TlsConfig;
  /** Most simultaneous device connections (including Sensor Logger devices). */
  maxDevices: number;
  /** Most simultaneous dashboard connections that have shown a token (or all of them, without tokens). */
  maxDashboards: number;
  /** What connections that have not shown a token yet may cost (server/security/pre-auth-frames.ts). */
  preAuth: PreAuthConfig;
  /** A device connection that sends no valid hello within this time is closed, ms. */
  helloTimeoutMs: number;
  /** A socket (device or dashboard) with more unsent bytes than this drops messages instead of queueing them. */
  maxBufferedBytes: number;
  /** WebSockets are pinged this often; one that misses a pong is cut, ms (0 = no heartbeat). */
  heartbeatMs: number;
  limits: ProtocolLimits;
  batching: BatchingConfig;
  pipeline: PipelineConfig;
  dashboard: DashboardConfig;
  rateLimit: RateLimitConfig;
  sensorLogger: SensorLoggerConfig;
  personal: PersonalConfig;
  /** The text service (/ws/text, /api/text/generate). */
  text: TextServiceConfig;
  /** Where this process sits in a cluster (server/bus/); the default runs everything in one process. */
  cluster: ClusterConfig;
}
