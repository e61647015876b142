// Server settings: defaults, environment overrides, and the limits every connection lives by.
// Each setting's doc comment names its environment variable; `npm start -- --help` covers the
// command-line ones (port, host, backend, demo). The limits table in server/README.md mirrors
// the defaults below.
import { isIP } from 'node:net';
import { DEFAULT_LIMITS, type ProtocolLimits } from '../protocol/sensor-messages.js';
import { isHostName } from './security/host-allowlist.js';
import { parseTokenEntry, SCOPES } from './security/auth.js';

export const INFERENCE_WORKER_MODES = ['auto', 'on', 'off'] as const;
export type InferenceWorkerMode = (typeof INFERENCE_WORKER_MODES)[number];

export interface BatchingConfig {
  /** Largest inference batch (windows). Env SENSORIUM_MAX_BATCH. */
  maxBatch: number;
  /** Longest a window waits for others before its batch runs, ms. Env SENSORIUM_MAX_DELAY_MS. */
  maxDelayMs: number;
  /** Windows allowed to wait; beyond it devices get `overloaded` errors. Env SENSORIUM_MAX_QUEUE. */
  maxQueue: number;
}

export type SmoothingConfig =
  | { kind: 'none' }
  /** Exponential moving average: smoothed = alpha * new + (1 - alpha) * previous. */
  | { kind: 'ema'; alpha: number }
  /** Mean of the last k probability vectors. */
  | { kind: 'mean'; k: number };

export interface PipelineConfig {
  /** How long a frame that arrived ahead of a missing seq waits for it, ms. Env SENSORIUM_REORDER_WAIT_MS. */
  reorderWaitMs: number;
  /** Most frames held while waiting for a missing seq; more skip the gap at once. */
  reorderMaxFrames: number;
  /** A pause between samples longer than this restarts the windows, ms. Env SENSORIUM_MAX_GAP_MS. */
  maxGapMs: number;
  /** Smoothing of probabilities over consecutive windows. Env SENSORIUM_SMOOTHING = none | ema:<alpha> | mean:<k>. */
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
   * the budget refills. Default: samplesPerSec x 320 (128 KB/s). Env SENSORIUM_MAX_BYTES_PER_SEC.
   */
  bytesPerSec?: number;
}

export interface RecordingConfig {
  /** Record every device stream from its hello (`--record`); else only those started over HTTP. Env SENSORIUM_RECORD=1. */
  all: boolean;
  /** Folder of the recordings (one NDJSON file per session). Env SENSORIUM_RECORDINGS_DIR. */
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
  /** A request's headers must arrive within this, ms (slowloris). Env SENSORIUM_HEADERS_TIMEOUT_MS. */
  headersTimeoutMs: number;
  /** A whole request (headers and body) must arrive within this, ms (answered 408). Env SENSORIUM_REQUEST_TIMEOUT_MS. */
  requestTimeoutMs: number;
  /** A connection with no bytes either way for this long is closed, ms (covers slow responses' readers too). Env SENSORIUM_CONNECTION_TIMEOUT_MS. */
  connectionTimeoutMs: number;
  /** An idle keep-alive connection is closed after this, ms. */
  keepAliveTimeoutMs: number;
}

/** HTTPS: certificate files, or a self-signed certificate made at start with the openssl CLI. */
export type TlsConfig = { certFile: string; keyFile: string } | { selfSigned: true };

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
  /** Folder of the personal heads, one JSON file per device. Env SENSORIUM_PERSONAL_DIR. */
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
  /** Env PORT. */
  port: number;
  /** Env HOST. */
  host: string;
  /** tfjs backend choice (auto, wasm, cpu, ...). Env SENSORIUM_BACKEND. */
  backend: string;
  /** Start the demo phones (npm start). */
  demo: boolean;
  demoPhones: number;
  /** Folder of the trained HAR model; default models/trained/har. Env SENSORIUM_HAR_MODEL. */
  harModelDir?: string;
  /**
   * Which HAR model to serve: 'trained' (fail without one), 'untrained' (tests, load runs) or
   * 'auto' (the trained one, else an untrained one with a warning). Env SENSORIUM_HAR_MODE.
   */
  harModel: HarModelMode;
  /**
   * Run the HAR model in a worker thread (its own tfjs runtime) so that model calls and stream
   * ingestion use two cores: 'auto' (on with >= 2 cores and a WASM/CPU backend, when the server
   * loads the model itself), 'on', 'off'. Env SENSORIUM_INFERENCE_WORKER.
   */
  inferenceWorker: InferenceWorkerMode;
  /**
   * Accepted tokens (server/security/auth.ts): `scope:token` (scope device, viewer or admin) or a
   * plain token (admin). Empty: the server is open, which is allowed only when bound to loopback.
   * Env SENSORIUM_TOKENS=a,b (or SENSORIUM_TOKEN=a); `--tokens-file`.
   */
  authTokens: string[];
  /** Browser origins allowed besides the server's own; '*' allows any. Env SENSORIUM_ALLOWED_ORIGINS=a,b. */
  allowedOrigins: string[];
  /**
   * Host names served besides loopback and the bound address (DNS-rebinding defence,
   * server/security/host-allowlist.ts); '*' allows any. Env SENSORIUM_ALLOWED_HOSTS=a,b; --allowed-hosts.
   */
  allowedHosts: string[];
  /** Most WebSocket connections at once, all endpoints together. Env SENSORIUM_MAX_CONNECTIONS. */
  maxConnections: number;
  /** Most WebSocket connections at once from one IP address. Env SENSORIUM_MAX_CONNECTIONS_PER_IP. */
  maxConnectionsPerIp: number;
  /**
   * Reverse proxies whose X-Forwarded-For names the client (exact addresses), for per-IP limits
   * and logs. Env SENSORIUM_TRUSTED_PROXIES=a,b. Empty: the socket's address is the client.
   */
  trustedProxies: string[];
  /** Clients on loopback (simulators, benchmarks on this machine) skip the per-IP limit. */
  exemptLoopbackFromIpLimit: boolean;
  /** A device that reconnects with the same id within this time resumes its stream, ms (0 = never). Env SENSORIUM_RECONNECT_GRACE_MS. */
  reconnectGraceMs: number;
  /** A socket that cannot be written to (too much unsent) for this long is disconnected, ms. */
  slowConsumerMs: number;
  /** At shutdown, how long pending windows may take to reach their devices, ms. */
  shutdownDrainMs: number;
  /** Shutdown deadline, ms: then connections still open (slow requests…) are cut. Env SENSORIUM_SHUTDOWN_TIMEOUT_MS. */
  shutdownTimeoutMs: number;
  http: HttpTimeoutsConfig;
  recording: RecordingConfig;
  /** Serve HTTPS (phones need a secure context for motion sensors). */
  tls?: TlsConfig;
  /** Most simultaneous device connections (including Sensor Logger devices). Env SENSORIUM_MAX_DEVICES. */
  maxDevices: number;
  /** Most simultaneous dashboard connections that have shown a token (or all of them, without tokens). */
  maxDashboards: number;
  /** What connections that have not shown a token yet may cost (server/security/pre-auth-frames.ts). */
  preAuth: PreAuthConfig;
  /** A device connection that sends no valid hello within this time is closed, ms. */
  helloTimeoutMs: number;
  /** A socket (device or dashboard) with more unsent bytes than this drops messages instead of queueing them. Env SENSORIUM_MAX_BUFFERED_BYTES. */
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
}

export const DEFAULT_CONFIG: ServerConfig = {
  port: 8080,
  host: '127.0.0.1',
  backend: 'auto',
  demo: true,
  demoPhones: 3,
  harModel: 'auto',
  inferenceWorker: 'auto',
  authTokens: [],
  allowedOrigins: [],
  allowedHosts: [],
  maxConnections: 4096,
  maxConnectionsPerIp: 64,
  trustedProxies: [],
  exemptLoopbackFromIpLimit: true,
  reconnectGraceMs: 10_000,
  slowConsumerMs: 30_000,
  shutdownDrainMs: 5_000,
  shutdownTimeoutMs: 10_000,
  http: { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, connectionTimeoutMs: 60_000, keepAliveTimeoutMs: 5_000 },
  recording: { all: false, dir: 'recordings', flushMs: 1000, maxBufferBytes: 16 << 20 },
  maxDevices: 200,
  maxDashboards: 50,
  preAuth: { maxDashboards: 50, timeoutMs: 5000, maxFrames: 4, maxFrameBytes: 4096 },
  helloTimeoutMs: 10_000,
  heartbeatMs: 30_000,
  maxBufferedBytes: 1 << 20,
  limits: { ...DEFAULT_LIMITS },
  batching: { maxBatch: 32, maxDelayMs: 5, maxQueue: 256 },
  pipeline: {
    reorderWaitMs: 200,
    reorderMaxFrames: 64,
    maxGapMs: 500,
    // Measured on HAPT validation users: +0.1 to +0.4 points of accuracy and ~24% fewer label flips (server/README.md).
    smoothing: { kind: 'ema', alpha: 0.5 },
    truthMinAgreement: 0.9,
  },
  dashboard: { signalHz: 25, signalIntervalMs: 100, statsIntervalMs: 1000 },
  // 2x the fastest accepted rate, so replays may run a little faster than real time.
  rateLimit: { samplesPerSec: 2 * DEFAULT_LIMITS.maxRateHz, burstSamples: 4 * DEFAULT_LIMITS.maxSamplesPerFrame, errorsPerSec: 20 },
  sensorLogger: { maxBodyBytes: 1 << 20, maxEntries: 10_000, idleMs: 15_000 },
  personal: { dir: 'data/personal', maxWindowsPerLabel: 92, maxConcurrentFits: 1, maxQueuedFits: 16 },
};

export type ConfigOverrides = {
  [K in keyof ServerConfig]?: ServerConfig[K] extends object ? Partial<ServerConfig[K]> : ServerConfig[K];
};

/** Defaults with nested overrides applied (tests pass only what they change). */
export function makeConfig(overrides: ConfigOverrides = {}, base: ServerConfig = DEFAULT_CONFIG): ServerConfig {
  const out = structuredClone(base) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const current = out[key];
    const isGroup = current !== null && typeof current === 'object' && !Array.isArray(current);
    out[key] = isGroup ? { ...(current as object), ...(value as object) } : value;
  }
  return out as unknown as ServerConfig;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The environment variables read by configFromEnv, for --help. */
export const ENV_VARS = [
  'PORT',
  'HOST',
  'SENSORIUM_BACKEND',
  'SENSORIUM_HAR_MODEL',
  'SENSORIUM_HAR_MODE',
  'SENSORIUM_TOKENS',
  'SENSORIUM_TOKEN',
  'SENSORIUM_ALLOWED_ORIGINS',
  'SENSORIUM_ALLOWED_HOSTS',
  'SENSORIUM_MAX_CONNECTIONS',
  'SENSORIUM_MAX_CONNECTIONS_PER_IP',
  'SENSORIUM_TRUSTED_PROXIES',
  'SENSORIUM_RECONNECT_GRACE_MS',
  'SENSORIUM_RECORD',
  'SENSORIUM_RECORDINGS_DIR',
  'SENSORIUM_PERSONAL_DIR',
  'LOG_LEVEL',
  'SENSORIUM_MAX_DEVICES',
  'SENSORIUM_MAX_BATCH',
  'SENSORIUM_MAX_DELAY_MS',
  'SENSORIUM_MAX_QUEUE',
  'SENSORIUM_INFERENCE_WORKER',
  'SENSORIUM_REORDER_WAIT_MS',
  'SENSORIUM_MAX_GAP_MS',
  'SENSORIUM_SMOOTHING',
  'SENSORIUM_MAX_BUFFERED_BYTES',
  'SENSORIUM_MAX_FRAME_BYTES',
  'SENSORIUM_MAX_SAMPLES_PER_FRAME',
  'SENSORIUM_MAX_BYTES_PER_SEC',
  'SENSORIUM_HEADERS_TIMEOUT_MS',
  'SENSORIUM_REQUEST_TIMEOUT_MS',
  'SENSORIUM_CONNECTION_TIMEOUT_MS',
  'SENSORIUM_SHUTDOWN_TIMEOUT_MS',
] as const;

/** Defaults overridden by environment variables; bad values throw ConfigError naming the variable. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env, base: ServerConfig = DEFAULT_CONFIG): ServerConfig {
  const c = structuredClone(base);
  const int = (name: string, min: number, max: number): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be a whole number between ${min} and ${max} (got '${raw}')`);
    return n;
  };
  c.port = int('PORT', 0, 65535) ?? c.port;
  c.host = env.HOST?.trim() || c.host;
  c.backend = env.SENSORIUM_BACKEND?.trim() || c.backend;
  c.harModelDir = env.SENSORIUM_HAR_MODEL?.trim() || c.harModelDir;
  const mode = env.SENSORIUM_HAR_MODE?.trim();
  if (mode) {
    if (!(HAR_MODEL_MODES as readonly string[]).includes(mode)) throw new ConfigError(`SENSORIUM_HAR_MODE must be one of ${HAR_MODEL_MODES.join(', ')} (got '${mode}')`);
    c.harModel = mode as HarModelMode;
  }
  const tokens = parseList(env.SENSORIUM_TOKENS ?? env.SENSORIUM_TOKEN);
  if (tokens.length > 0) c.authTokens = checkTokens(tokens, env.SENSORIUM_TOKENS !== undefined ? 'SENSORIUM_TOKENS' : 'SENSORIUM_TOKEN');
  const origins = parseList(env.SENSORIUM_ALLOWED_ORIGINS);
  if (origins.length > 0) c.allowedOrigins = origins;
  const hosts = parseHostNames(env.SENSORIUM_ALLOWED_HOSTS, 'SENSORIUM_ALLOWED_HOSTS');
  if (hosts.length > 0) c.allowedHosts = hosts;
  c.maxConnections = int('SENSORIUM_MAX_CONNECTIONS', 1, 1_000_000) ?? c.maxConnections;
  c.maxConnectionsPerIp = int('SENSORIUM_MAX_CONNECTIONS_PER_IP', 1, 1_000_000) ?? c.maxConnectionsPerIp;
  const proxies = parseList(env.SENSORIUM_TRUSTED_PROXIES);
  if (proxies.length > 0) c.trustedProxies = checkAddresses(proxies, 'SENSORIUM_TRUSTED_PROXIES');
  c.reconnectGraceMs = int('SENSORIUM_RECONNECT_GRACE_MS', 0, 600_000) ?? c.reconnectGraceMs;
  const record = env.SENSORIUM_RECORD?.trim();
  if (record) {
    if (!['0', '1', 'true', 'false'].includes(record)) throw new ConfigError(`SENSORIUM_RECORD must be 1 or 0 (got '${record}')`);
    c.recording.all = record === '1' || record === 'true';
  }
  c.recording.dir = env.SENSORIUM_RECORDINGS_DIR?.trim() || c.recording.dir;
  c.personal.dir = env.SENSORIUM_PERSONAL_DIR?.trim() || c.personal.dir;
  c.maxDevices = int('SENSORIUM_MAX_DEVICES', 1, 100_000) ?? c.maxDevices;
  c.batching.maxBatch = int('SENSORIUM_MAX_BATCH', 1, 1024) ?? c.batching.maxBatch;
  c.batching.maxDelayMs = int('SENSORIUM_MAX_DELAY_MS', 0, 10_000) ?? c.batching.maxDelayMs;
  c.batching.maxQueue = int('SENSORIUM_MAX_QUEUE', 1, 1_000_000) ?? c.batching.maxQueue;
  const worker = env.SENSORIUM_INFERENCE_WORKER?.trim();
  if (worker) {
    if (!(INFERENCE_WORKER_MODES as readonly string[]).includes(worker)) throw new ConfigError(`SENSORIUM_INFERENCE_WORKER must be one of ${INFERENCE_WORKER_MODES.join(', ')} (got '${worker}')`);
    c.inferenceWorker = worker as InferenceWorkerMode;
  }
  c.pipeline.reorderWaitMs = int('SENSORIUM_REORDER_WAIT_MS', 0, 60_000) ?? c.pipeline.reorderWaitMs;
  c.pipeline.maxGapMs = int('SENSORIUM_MAX_GAP_MS', 1, 600_000) ?? c.pipeline.maxGapMs;
  if (env.SENSORIUM_SMOOTHING?.trim()) c.pipeline.smoothing = parseSmoothing(env.SENSORIUM_SMOOTHING.trim(), 'SENSORIUM_SMOOTHING');
  c.maxBufferedBytes = int('SENSORIUM_MAX_BUFFERED_BYTES', 1024, 1 << 30) ?? c.maxBufferedBytes;
  c.limits.maxFrameBytes = int('SENSORIUM_MAX_FRAME_BYTES', 1024, 64 << 20) ?? c.limits.maxFrameBytes;
  c.limits.maxSamplesPerFrame = int('SENSORIUM_MAX_SAMPLES_PER_FRAME', 1, 1_000_000) ?? c.limits.maxSamplesPerFrame;
  c.rateLimit.bytesPerSec = int('SENSORIUM_MAX_BYTES_PER_SEC', 1024, 1 << 30) ?? c.rateLimit.bytesPerSec;
  c.http.headersTimeoutMs = int('SENSORIUM_HEADERS_TIMEOUT_MS', 100, 3_600_000) ?? c.http.headersTimeoutMs;
  c.http.requestTimeoutMs = int('SENSORIUM_REQUEST_TIMEOUT_MS', 100, 3_600_000) ?? c.http.requestTimeoutMs;
  c.http.connectionTimeoutMs = int('SENSORIUM_CONNECTION_TIMEOUT_MS', 100, 3_600_000) ?? c.http.connectionTimeoutMs;
  c.shutdownTimeoutMs = int('SENSORIUM_SHUTDOWN_TIMEOUT_MS', 100, 600_000) ?? c.shutdownTimeoutMs;
  if (c.http.headersTimeoutMs > c.http.requestTimeoutMs) throw new ConfigError(`SENSORIUM_HEADERS_TIMEOUT_MS (${c.http.headersTimeoutMs}) must not exceed SENSORIUM_REQUEST_TIMEOUT_MS (${c.http.requestTimeoutMs})`);
  return c;
}

/** `none`, `ema:<alpha in (0,1]>` or `mean:<k >= 1>`. */
export function parseSmoothing(text: string, what = 'smoothing'): SmoothingConfig {
  const [kind, arg] = text.split(':');
  if (kind === 'none' && arg === undefined) return { kind: 'none' };
  const n = Number(arg);
  if (kind === 'ema' && n > 0 && n <= 1) return { kind: 'ema', alpha: n };
  if (kind === 'mean' && Number.isInteger(n) && n >= 1 && n <= 100) return { kind: 'mean', k: n };
  throw new ConfigError(`${what} must be none, ema:<alpha in (0,1]> or mean:<k in 1..100> (got '${text}')`);
}

function parseList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Proxy addresses: IPv4 or IPv6 literals (no ranges, no host names). */
export function checkAddresses(addresses: readonly string[], what: string): string[] {
  for (const a of addresses) {
    if (isIP(a) === 0) throw new ConfigError(`${what}: '${a.slice(0, 60)}' is not an IP address (list exact proxy addresses, comma-separated)`);
  }
  return [...addresses];
}

/** Allowed Host names from a comma list: DNS names or IP addresses (no scheme, port or path), lowercased; '*' for any. */
export function parseHostNames(text: string | undefined, what: string): string[] {
  const hosts = parseList(text);
  for (const h of hosts) {
    if (!isHostName(h)) throw new ConfigError(`${what}: '${h.slice(0, 60)}' is not a host name (list names like sensorium.lan or addresses, comma-separated, no scheme or port)`);
  }
  return hosts.map((h) => h.toLowerCase());
}

/**
 * Tokens must be printable, without spaces or commas, 8-256 characters (short ones are guessable),
 * each as `scope:token` (device, viewer, admin) or plain (admin).
 */
export function checkTokens(tokens: readonly string[], what: string): string[] {
  for (const entry of tokens) {
    const { scope, token: t, prefix } = parseTokenEntry(entry);
    if (scope === undefined) throw new ConfigError(`${what}: unknown scope '${prefix}' (scopes: ${SCOPES.join(', ')}; a plain token is an admin token)`);
    if (!/^[\x21-\x7e]{8,256}$/.test(t) || t.includes(',')) {
      throw new ConfigError(`${what}: every token must be 8-256 printable characters without spaces or commas (got one of ${t.length} characters)`);
    }
  }
  return [...tokens];
}

/** Tokens from a file: one per line; blank lines and lines starting with # are skipped. */
export function parseTokensFile(text: string, file: string): string[] {
  const tokens = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'));
  if (tokens.length === 0) throw new ConfigError(`${file} holds no token (one per line; # starts a comment)`);
  return checkTokens(tokens, file);
}
