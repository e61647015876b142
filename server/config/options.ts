// Every setting of the server, once: where it lands in ServerConfig, its environment variable, its
// flag, the kind of value, its default and what it does. Parsing (parse.ts), `npm start -- --help`
// (help.ts) and the options table in server/README.md (`npm run docs:config`) all come from here,
// and no other file in server/ names an environment variable.
import { hostname } from 'node:os';
import { DEFAULT_LIMITS } from '../../protocol/sensor-messages.js';
import type { ServerConfig, SmoothingConfig, BusConfig, TlsConfig } from './schema.js';
import { BACKEND_SETTINGS, HAR_MODEL_MODES, INFERENCE_WORKER_MODES, LOG_FORMATS, LOG_LEVELS, SERVER_ROLES } from './schema.js';
import * as v from './value-types.js';

/**
 * What the table fills in: ServerConfig, with TLS as three separate settings that parse.ts then
 * turns into a TlsConfig (certificate files, or self-signed) after checking they agree.
 */
export type Settings = Omit<ServerConfig, 'tls'> & { tls: { certFile?: string; keyFile?: string; selfSigned: boolean } };

type Leaf = string | number | boolean | readonly string[] | SmoothingConfig | BusConfig | TlsConfig;

/** Dotted paths to every setting: 'port', 'batching.maxBatch', 'text.batching.maxQueue', ... */
export type SettingPath<T = Settings> = {
  [K in keyof T & string]-?: NonNullable<T[K]> extends Leaf ? K : NonNullable<T[K]> extends object ? `${K}.${SettingPath<NonNullable<T[K]>>}` : never;
}[keyof T & string];

export type SettingValue<P extends string, T = Settings> = P extends `${infer K}.${infer Rest}`
  ? K extends keyof T
    ? SettingValue<Rest, NonNullable<T[K]>>
    : never
  : P extends keyof T
    ? T[P]
    : never;

export const SECTIONS = ['Server', 'Security', 'Model and inference', 'Connections', 'Devices', 'Dashboards', 'HTTP', 'Recording', 'Calibration', 'Text service', 'Cluster'] as const;
export type Section = (typeof SECTIONS)[number];

export interface ConfigOption<T = unknown> {
  /** Where the value lands (dotted path in ServerConfig). */
  path: string;
  /** Command-line flag, without `--`; none for secrets (they would show in `ps`). */
  flag?: string;
  /** Environment variable. */
  env?: string;
  /** Older variable names, read when `env` is not set. */
  envAliases?: readonly string[];
  type: v.ValueType<T>;
  /** Undefined: not set unless given (the code then derives it; `defaultText` says how). */
  default: T | undefined;
  /** The default in words, when it is derived or differs per machine. */
  defaultText?: string;
  doc: string;
  section: Section;
  /** A list whose values are added to what the variable (or an earlier option) gave, instead of replacing it. */
  appends?: boolean;
}

interface TypedOption<P extends SettingPath> extends ConfigOption<NonNullable<SettingValue<P>>> {
  path: P;
}

function option<P extends SettingPath>(path: P, o: Omit<TypedOption<P>, 'path' | 'section'>): (section: Section) => TypedOption<P> {
  return (section) => ({ path, section, ...o });
}

function section<const T extends readonly ((s: Section) => ConfigOption)[]>(name: Section, entries: T): { [I in keyof T]: ReturnType<T[I]> } {
  return entries.map((make) => make(name)) as { [I in keyof T]: ReturnType<T[I]> };
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const OPTIONS = [
  ...section('Server', [
    option('port', { flag: 'port', env: 'PORT', type: v.integer(0, 65535), default: 8080, doc: 'TCP port (0 = any free port)' }),
    option('host', { flag: 'host', env: 'HOST', type: v.text('address'), default: '127.0.0.1', doc: 'interface to listen on (0.0.0.0 for phones on your network; then tokens are required)' }),
    option('demo', { flag: 'demo', env: 'SENSORIUM_DEMO', type: v.onOff, default: true, doc: 'also start synthetic demo phones (--no-demo to skip)' }),
    option('demoPhones', { flag: 'demo-phones', env: 'SENSORIUM_DEMO_PHONES', type: v.integer(1, 50), default: 3, doc: 'how many demo phones' }),
    option('logLevel', {
      flag: 'log-level',
      env: 'LOG_LEVEL',
      type: v.oneOf(LOG_LEVELS),
      default: 'info',
      doc: 'log level of the server log (Fastify / pino); polling routes (/api/health, /metrics, the recordings list) log their requests only at debug',
    }),
    option('logFormat', {
      flag: 'log-format',
      env: 'SENSORIUM_LOG_FORMAT',
      type: v.oneOf(LOG_FORMATS),
      default: 'auto',
      doc: 'pretty: one readable line per entry (pino-pretty); json: JSON lines; auto: pretty when stdout is a terminal, else json',
    }),
    option('heapGrowingPercent', {
      flag: 'heap-growing-percent',
      env: 'SENSORIUM_HEAP_GROWING_PERCENT',
      type: v.integer(0, 400),
      default: 50,
      doc: "after each full garbage collection the heap may grow this much before the next one starts (V8's --heap-growing-percent); 0: V8's own choice, which under hostile traffic marked back to back on the event loop (server/heap-growing.ts)",
    }),
    option('heapCompactSeconds', {
      flag: 'heap-compact-seconds',
      env: 'SENSORIUM_HEAP_COMPACT_SECONDS',
      type: v.integer(0, 3600),
      default: 60,
      doc: 'every this many seconds the next full garbage collection compacts the heaps and gives their free pages back (one longer pause a period, instead of half-empty pages kept under hostile traffic); 0: only where V8 picks pages itself (server/heap-compaction.ts)',
    }),
    option('shutdownDrainMs', {
      flag: 'shutdown-drain-ms',
      env: 'SENSORIUM_SHUTDOWN_DRAIN_MS',
      type: v.integer(0, 10 * MINUTE),
      default: 5000,
      doc: 'at shutdown, how long pending windows may take to reach their devices, ms',
    }),
    option('shutdownTimeoutMs', {
      flag: 'shutdown-timeout-ms',
      env: 'SENSORIUM_SHUTDOWN_TIMEOUT_MS',
      type: v.integer(100, 10 * MINUTE),
      default: 10_000,
      doc: 'shutdown deadline, ms: HTTP connections still open then are cut',
    }),
  ]),
  ...section('Security', [
    option('authTokens', {
      env: 'SENSORIUM_TOKENS',
      envAliases: ['SENSORIUM_TOKEN'],
      type: v.tokens,
      default: [],
      doc: 'accepted tokens, comma-separated, each scope:token (scope device, viewer or admin) or plain (admin); none: the server is open, allowed only on loopback. No flag: the command line shows in ps',
    }),
    option('authTokens', {
      flag: 'tokens-file',
      env: 'SENSORIUM_TOKENS_FILE',
      type: v.tokensFile,
      default: undefined,
      appends: true,
      doc: 'file of accepted tokens, one per line (# comments), added to SENSORIUM_TOKENS; tokens are required unless the host is loopback',
    }),
    option('allowedHosts', {
      flag: 'allowed-hosts',
      env: 'SENSORIUM_ALLOWED_HOSTS',
      type: v.hostNames,
      default: [],
      appends: true,
      doc: 'extra Host names served, e.g. sensorium.lan (DNS-rebinding defence; loopback and the bound address always; any IP with host 0.0.0.0; * for any); the flag adds to the variable',
    }),
    option('allowedOrigins', { flag: 'allowed-origins', env: 'SENSORIUM_ALLOWED_ORIGINS', type: v.list, default: [], doc: "browser origins allowed besides the server's own; * allows any" }),
    option('trustedProxies', {
      flag: 'trusted-proxies',
      env: 'SENSORIUM_TRUSTED_PROXIES',
      type: v.ipAddresses,
      default: [],
      doc: 'reverse proxies (exact IP addresses) whose X-Forwarded-For names the client, for per-IP limits and logs',
    }),
    option('tls.certFile', { flag: 'tls-cert', env: 'SENSORIUM_TLS_CERT', type: v.text('file'), default: undefined, doc: 'HTTPS: certificate file (PEM), with the key' }),
    option('tls.keyFile', { flag: 'tls-key', env: 'SENSORIUM_TLS_KEY', type: v.text('file'), default: undefined, doc: 'HTTPS: private key file (PEM), with the certificate' }),
    option('tls.selfSigned', {
      flag: 'tls-self-signed',
      env: 'SENSORIUM_TLS_SELF_SIGNED',
      type: v.onOff,
      default: false,
      doc: 'HTTPS with a self-signed certificate kept in data/tls and reused across restarts; phones accept its warning once',
    }),
  ]),
  ...section('Model and inference', [
    option('backend', {
      flag: 'backend',
      env: 'SENSORIUM_BACKEND',
      type: v.oneOf(BACKEND_SETTINGS),
      default: 'auto',
      doc: 'tfjs backend; auto = tensorflow-gpu, webgpu (hardware GPU only), tensorflow, wasm, cpu',
    }),
    option('harModel', {
      flag: 'model',
      env: 'SENSORIUM_HAR_MODE',
      type: v.oneOf(HAR_MODEL_MODES),
      default: 'auto',
      doc: 'HAR model: trained (fail without one), untrained, or auto (trained if present, else untrained with a warning)',
    }),
    option('harModelDir', { flag: 'model-dir', env: 'SENSORIUM_HAR_MODEL', type: v.text('dir'), default: undefined, defaultText: 'models/trained/har', doc: 'folder of the trained HAR model' }),
    option('inferenceWorker', {
      flag: 'inference-worker',
      env: 'SENSORIUM_INFERENCE_WORKER',
      type: v.oneOf(INFERENCE_WORKER_MODES),
      default: 'auto',
      doc: 'run the HAR model in a worker thread; auto: with >= 2 cores and a WASM/CPU backend',
    }),
    option('batching.maxBatch', {
      flag: 'max-batch',
      env: 'SENSORIUM_MAX_BATCH',
      type: v.integer(1, 1024),
      default: 32,
      doc: 'largest inference batch, windows (left at 32: the backend default, 128 on webgpu and tensorflow-gpu)',
    }),
    option('batching.maxDelayMs', {
      flag: 'max-delay-ms',
      env: 'SENSORIUM_MAX_DELAY_MS',
      type: v.integer(0, 10_000),
      default: 5,
      doc: 'longest a window waits for others before its batch runs, ms (left at 5: the backend default, 10 on webgpu and tensorflow-gpu)',
    }),
    option('batching.maxQueue', { flag: 'max-queue', env: 'SENSORIUM_MAX_QUEUE', type: v.integer(1, 1_000_000), default: 256, doc: 'windows waiting for inference; beyond it devices get overloaded' }),
    option('pipeline.reorderWaitMs', {
      flag: 'reorder-wait-ms',
      env: 'SENSORIUM_REORDER_WAIT_MS',
      type: v.integer(0, MINUTE),
      default: 200,
      doc: 'how long a frame that arrived ahead of a missing seq waits for it, ms',
    }),
    option('pipeline.reorderMaxFrames', {
      flag: 'reorder-max-frames',
      env: 'SENSORIUM_REORDER_MAX_FRAMES',
      type: v.integer(1, 10_000),
      default: 64,
      doc: 'frames held while waiting for a missing seq; more skip the gap at once',
    }),
    option('pipeline.maxGapMs', {
      flag: 'max-gap-ms',
      env: 'SENSORIUM_MAX_GAP_MS',
      type: v.integer(1, 10 * MINUTE),
      default: 500,
      doc: 'a pause between samples longer than this restarts the windows, ms',
    }),
    // Measured on HAPT validation users: +0.1 to +0.4 points of accuracy and ~24% fewer label flips (server/README.md).
    option('pipeline.smoothing', {
      flag: 'smoothing',
      env: 'SENSORIUM_SMOOTHING',
      type: v.smoothing,
      default: { kind: 'ema', alpha: 0.5 },
      doc: 'smoothing of probabilities over consecutive windows',
    }),
    option('pipeline.truthMinAgreement', {
      flag: 'truth-min-agreement',
      env: 'SENSORIUM_TRUTH_MIN_AGREEMENT',
      type: v.decimal(0.5, 1),
      default: 0.9,
      doc: "a window's truth is its majority label when at least this share of its samples carry it",
    }),
  ]),
  ...section('Connections', [
    option('maxConnections', {
      flag: 'max-connections',
      env: 'SENSORIUM_MAX_CONNECTIONS',
      type: v.integer(1, 1_000_000),
      default: 4096,
      doc: 'WebSocket connections at once, all endpoints; more are closed 1013',
    }),
    option('maxConnectionsPerIp', {
      flag: 'max-connections-per-ip',
      env: 'SENSORIUM_MAX_CONNECTIONS_PER_IP',
      type: v.integer(1, 1_000_000),
      default: 64,
      doc: 'WebSocket connections at once from one IP address (an IPv6 /64 is one)',
    }),
    option('exemptLoopbackFromIpLimit', {
      flag: 'loopback-exempt-from-ip-limit',
      env: 'SENSORIUM_LOOPBACK_EXEMPT_FROM_IP_LIMIT',
      type: v.onOff,
      default: true,
      doc: 'clients on loopback (local simulators, benchmarks) skip the per-IP limit',
    }),
    option('maxBufferedBytes', {
      flag: 'max-buffered-bytes',
      env: 'SENSORIUM_MAX_BUFFERED_BYTES',
      type: v.bytes(1024, 1 << 30),
      default: 1 << 20,
      doc: 'unsent bytes per device or dashboard socket beyond which messages to it are dropped',
    }),
    option('slowConsumerMs', {
      flag: 'slow-consumer-ms',
      env: 'SENSORIUM_SLOW_CONSUMER_MS',
      type: v.integer(100, HOUR),
      default: 30_000,
      doc: 'a socket that cannot be written to for this long is closed 1008, ms',
    }),
    option('heartbeatMs', {
      flag: 'heartbeat-ms',
      env: 'SENSORIUM_HEARTBEAT_MS',
      type: v.integer(0, HOUR),
      default: 30_000,
      doc: 'WebSockets are pinged this often; one that misses a pong is cut, ms (0 = no heartbeat)',
    }),
    option('preAuth.maxDashboards', {
      flag: 'pre-auth-max-dashboards',
      env: 'SENSORIUM_PRE_AUTH_MAX_DASHBOARDS',
      type: v.integer(1, 100_000),
      default: 50,
      doc: 'dashboards whose token is still to come in their subscribe; more are closed 1013',
    }),
    option('preAuth.timeoutMs', {
      flag: 'pre-auth-timeout-ms',
      env: 'SENSORIUM_PRE_AUTH_TIMEOUT_MS',
      type: v.integer(100, 10 * MINUTE),
      default: 5000,
      doc: 'a dashboard without a token at the upgrade must subscribe with one within this, ms',
    }),
    option('preAuth.maxFrames', {
      flag: 'pre-auth-max-frames',
      env: 'SENSORIUM_PRE_AUTH_MAX_FRAMES',
      type: v.integer(1, 1000),
      default: 4,
      doc: 'frames before a valid hello / subscribe from a connection without a token; the next one closes it 1008',
    }),
    option('preAuth.maxFrameBytes', {
      flag: 'pre-auth-max-frame-bytes',
      env: 'SENSORIUM_PRE_AUTH_MAX_FRAME_BYTES',
      type: v.bytes(256, 1 << 20),
      default: 4096,
      doc: 'largest frame before a valid hello / subscribe; a larger one closes the socket 1009 unread',
    }),
  ]),
  ...section('Devices', [
    option('maxDevices', {
      flag: 'max-devices',
      env: 'SENSORIUM_MAX_DEVICES',
      type: v.integer(1, 100_000),
      default: 200,
      doc: 'devices at once (WebSocket and Sensor Logger, incl. ones in their reconnect grace)',
    }),
    option('helloTimeoutMs', {
      flag: 'hello-timeout-ms',
      env: 'SENSORIUM_HELLO_TIMEOUT_MS',
      type: v.integer(100, 10 * MINUTE),
      default: 10_000,
      doc: 'a device connection without a valid hello within this is closed 1008, ms',
    }),
    option('reconnectGraceMs', {
      flag: 'reconnect-grace-ms',
      env: 'SENSORIUM_RECONNECT_GRACE_MS',
      type: v.integer(0, 10 * MINUTE),
      default: 10_000,
      doc: 'a device that reconnects with the same id within this resumes its stream, ms (0 = never)',
    }),
    option('limits.maxFrameBytes', {
      flag: 'max-frame-bytes',
      env: 'SENSORIUM_MAX_FRAME_BYTES',
      type: v.bytes(1024, 64 << 20),
      default: DEFAULT_LIMITS.maxFrameBytes,
      doc: 'largest device frame; larger ones close the socket 1009',
    }),
    option('limits.maxSamplesPerFrame', {
      flag: 'max-samples-per-frame',
      env: 'SENSORIUM_MAX_SAMPLES_PER_FRAME',
      type: v.integer(1, 1_000_000),
      default: DEFAULT_LIMITS.maxSamplesPerFrame,
      doc: 'samples in one frame; more: error too-many-samples',
    }),
    option('limits.minRateHz', {
      flag: 'min-rate-hz',
      env: 'SENSORIUM_MIN_RATE_HZ',
      type: v.decimal(1, 10_000),
      default: DEFAULT_LIMITS.minRateHz,
      doc: 'slowest sample rate a device may declare (hello.rateHz) or imply, Hz',
    }),
    option('limits.maxRateHz', {
      flag: 'max-rate-hz',
      env: 'SENSORIUM_MAX_RATE_HZ',
      type: v.decimal(1, 10_000),
      default: DEFAULT_LIMITS.maxRateHz,
      doc: 'fastest sample rate a device may declare or imply (x 1.5), Hz',
    }),
    option('limits.maxAbsG', {
      flag: 'max-abs-g',
      env: 'SENSORIUM_MAX_ABS_G',
      type: v.decimal(1, 1000),
      default: DEFAULT_LIMITS.maxAbsG,
      doc: 'largest acceleration per axis, g; beyond: error out-of-range',
    }),
    // 2x the fastest accepted rate, so replays may run a little faster than real time.
    option('rateLimit.samplesPerSec', {
      flag: 'max-samples-per-sec',
      env: 'SENSORIUM_MAX_SAMPLES_PER_SEC',
      type: v.integer(1, 10_000_000),
      default: 2 * DEFAULT_LIMITS.maxRateHz,
      doc: 'samples per second per device (token bucket, by device id); more: rate-limited',
    }),
    option('rateLimit.burstSamples', {
      flag: 'burst-samples',
      env: 'SENSORIUM_BURST_SAMPLES',
      type: v.integer(1, 100_000_000),
      default: 4 * DEFAULT_LIMITS.maxSamplesPerFrame,
      doc: 'samples a device may send in one burst above that rate',
    }),
    option('rateLimit.framesPerSec', {
      flag: 'max-frames-per-sec',
      env: 'SENSORIUM_MAX_FRAMES_PER_SEC',
      type: v.integer(1, 1_000_000),
      default: undefined,
      defaultText: 'samples/s / 4',
      doc: 'frames per second per device (bursts of twice that); more: rate-limited',
    }),
    option('rateLimit.bytesPerSec', {
      flag: 'max-bytes-per-sec',
      env: 'SENSORIUM_MAX_BYTES_PER_SEC',
      type: v.bytes(1024, 1 << 30),
      default: undefined,
      defaultText: 'samples/s x 320',
      doc: 'bytes decoded per second per device connection; a frame over it is dropped and the socket not read until it refills',
    }),
    option('rateLimit.errorsPerSec', {
      flag: 'max-errors-per-sec',
      env: 'SENSORIUM_MAX_ERRORS_PER_SEC',
      type: v.integer(1, 10_000),
      default: 20,
      doc: 'error replies per second per device or dashboard connection (bursts of twice that); more are counted, not sent',
    }),
    option('sensorLogger.maxBodyBytes', {
      flag: 'sensor-logger-max-body-bytes',
      env: 'SENSORIUM_SENSOR_LOGGER_MAX_BODY_BYTES',
      type: v.bytes(1024, 64 << 20),
      default: 1 << 20,
      doc: 'largest Sensor Logger POST body (larger: 413)',
    }),
    option('sensorLogger.maxEntries', {
      flag: 'sensor-logger-max-entries',
      env: 'SENSORIUM_SENSOR_LOGGER_MAX_ENTRIES',
      type: v.integer(1, 1_000_000),
      default: 10_000,
      doc: 'payload entries in one Sensor Logger POST',
    }),
    option('sensorLogger.idleMs', {
      flag: 'sensor-logger-idle-ms',
      env: 'SENSORIUM_SENSOR_LOGGER_IDLE_MS',
      type: v.integer(100, HOUR),
      default: 15_000,
      doc: 'a Sensor Logger device without a POST for this long leaves the list, ms',
    }),
  ]),
  ...section('Dashboards', [
    option('maxDashboards', {
      flag: 'max-dashboards',
      env: 'SENSORIUM_MAX_DASHBOARDS',
      type: v.integer(1, 100_000),
      default: 50,
      doc: 'dashboards at once (that showed a token; all, without tokens); more are closed 1013',
    }),
    option('dashboard.signalHz', { flag: 'dashboard-signal-hz', env: 'SENSORIUM_DASHBOARD_SIGNAL_HZ', type: v.integer(1, 200), default: 25, doc: 'raw signal rate sent to dashboards for charts, Hz' }),
    option('dashboard.signalIntervalMs', {
      flag: 'dashboard-signal-interval-ms',
      env: 'SENSORIUM_DASHBOARD_SIGNAL_INTERVAL_MS',
      type: v.integer(10, MINUTE),
      default: 100,
      doc: 'signal batches go out this often, ms',
    }),
    option('dashboard.statsIntervalMs', {
      flag: 'dashboard-stats-interval-ms',
      env: 'SENSORIUM_DASHBOARD_STATS_INTERVAL_MS',
      type: v.integer(100, MINUTE),
      default: 1000,
      doc: 'stats messages go out this often, ms',
    }),
  ]),
  ...section('HTTP', [
    option('http.headersTimeoutMs', {
      flag: 'headers-timeout-ms',
      env: 'SENSORIUM_HEADERS_TIMEOUT_MS',
      type: v.integer(100, HOUR),
      default: 10_000,
      doc: "a request's headers must arrive within this, ms (slowloris); at most the request timeout",
    }),
    option('http.requestTimeoutMs', {
      flag: 'request-timeout-ms',
      env: 'SENSORIUM_REQUEST_TIMEOUT_MS',
      type: v.integer(100, HOUR),
      default: 30_000,
      doc: 'a whole request (headers and body) must arrive within this, ms (408)',
    }),
    option('http.connectionTimeoutMs', {
      flag: 'connection-timeout-ms',
      env: 'SENSORIUM_CONNECTION_TIMEOUT_MS',
      type: v.integer(100, HOUR),
      default: 60_000,
      doc: 'a connection with no bytes either way for this long is closed, ms (upgraded WebSockets are exempt)',
    }),
    option('httpBodyBytesPerSec', {
      flag: 'body-bytes-per-sec',
      env: 'SENSORIUM_BODY_BYTES_PER_SEC',
      type: v.bytes(1024, 1 << 30),
      default: 256 << 10,
      doc: 'request-body bytes per second per client address, all routes together: a client owing nothing may send one body of any size its route takes, then waits until it is paid for (429 rate-limited before the body is read)',
    }),
    option('http.keepAliveTimeoutMs', {
      flag: 'keep-alive-timeout-ms',
      env: 'SENSORIUM_KEEP_ALIVE_TIMEOUT_MS',
      type: v.integer(100, HOUR),
      default: 5000,
      doc: 'an idle keep-alive connection is closed after this, ms',
    }),
  ]),
  ...section('Recording', [
    option('recording.all', { flag: 'record', env: 'SENSORIUM_RECORD', type: v.onOff, default: false, doc: 'record every device stream from its hello; else only those started over HTTP' }),
    option('recording.dir', { flag: 'recordings-dir', env: 'SENSORIUM_RECORDINGS_DIR', type: v.text('dir'), default: 'recordings', doc: 'folder of the recordings (one NDJSON file per session)' }),
    option('recording.flushMs', {
      flag: 'recording-flush-ms',
      env: 'SENSORIUM_RECORDING_FLUSH_MS',
      type: v.integer(10, MINUTE),
      default: 1000,
      doc: 'buffered samples are written and fsynced at least this often, ms: what a crash can lose',
    }),
    option('recording.maxBufferBytes', {
      flag: 'recording-max-buffer-bytes',
      env: 'SENSORIUM_RECORDING_MAX_BUFFER_BYTES',
      type: v.bytes(64 << 10, 1 << 30),
      default: 16 << 20,
      doc: 'bytes a recording holds in memory when the disk lags; beyond it frames are dropped and counted',
    }),
  ]),
  ...section('Calibration', [
    option('personal.dir', { flag: 'personal-dir', env: 'SENSORIUM_PERSONAL_DIR', type: v.text('dir'), default: 'data/personal', doc: 'folder of the personal heads, one JSON file per device' }),
    option('personal.maxWindowsPerLabel', {
      flag: 'calibration-max-windows-per-label',
      env: 'SENSORIUM_CALIBRATION_MAX_WINDOWS_PER_LABEL',
      type: v.integer(3, 100_000),
      default: 92,
      doc: 'calibration windows kept per label (92 = about 2 minutes)',
    }),
    option('personal.maxConcurrentFits', {
      flag: 'calibration-max-fits',
      env: 'SENSORIUM_CALIBRATION_MAX_FITS',
      type: v.integer(1, 64),
      default: 1,
      doc: 'personal heads fitted at once (each on the main thread in small slices)',
    }),
    option('personal.maxQueuedFits', {
      flag: 'calibration-max-queued-fits',
      env: 'SENSORIUM_CALIBRATION_MAX_QUEUED_FITS',
      type: v.integer(0, 100_000),
      default: 16,
      doc: "fits waiting; beyond it a device's personalise gets busy",
    }),
  ]),
  ...section('Text service', [
    option('text.defaultModel', { flag: 'text-model', env: 'SENSORIUM_TEXT_MODEL', type: v.text('name'), default: 'english-word', doc: 'text model used when a client names none (always allowed)' }),
    option('text.allowedModels', {
      flag: 'text-models',
      env: 'SENSORIUM_TEXT_MODELS',
      type: v.list,
      default: ['english-word', 'shakespeare-char'],
      doc: 'text models a client may ask for (names in models/trained)',
    }),
    option('text.maxSessions', {
      flag: 'text-max-sessions',
      env: 'SENSORIUM_TEXT_MAX_SESSIONS',
      type: v.integer(1, 1_000_000),
      default: 1000,
      doc: 'text sessions at once (each up to ~0.5 MB of LSTM states); more: too-many-sessions',
    }),
    option('text.idleTimeoutMs', {
      flag: 'text-idle-ms',
      env: 'SENSORIUM_TEXT_IDLE_MS',
      type: v.integer(100, 24 * HOUR),
      default: 5 * MINUTE,
      doc: 'a text connection with no frame for this long is closed, ms',
    }),
    option('text.maxChars', { flag: 'text-max-chars', env: 'SENSORIUM_TEXT_MAX_CHARS', type: v.integer(1, 10_000_000), default: 20_000, doc: 'longest text per session (and prompt), characters' }),
    option('text.recentStates', {
      flag: 'text-recent-states',
      env: 'SENSORIUM_TEXT_RECENT_STATES',
      type: v.integer(1, 100_000),
      default: 64,
      doc: 'boundaries whose LSTM state a session always keeps (deletions within them cost one step)',
    }),
    option('text.checkpointStride', {
      flag: 'text-checkpoint-stride',
      env: 'SENSORIUM_TEXT_CHECKPOINT_STRIDE',
      type: v.integer(1, 100_000),
      default: 32,
      doc: 'older boundaries keep a state every this many tokens',
    }),
    option('text.maxGenerateTokens', {
      flag: 'text-max-generate',
      env: 'SENSORIUM_TEXT_MAX_GENERATE',
      type: v.integer(1, 1_000_000),
      default: 500,
      doc: 'tokens per generation request; more: too-many-tokens',
    }),
    option('text.maxGenerationsPerConnection', {
      flag: 'text-max-generations',
      env: 'SENSORIUM_TEXT_MAX_GENERATIONS',
      type: v.integer(1, 100),
      default: 2,
      doc: 'generations running at once per text connection; more: busy',
    }),
    option('text.generationTokensPerSec', {
      flag: 'text-generation-tokens-per-sec',
      env: 'SENSORIUM_TEXT_GENERATION_TOKENS_PER_SEC',
      type: v.integer(1, 1_000_000),
      default: 200,
      doc: 'tokens per second all /ws/text and HTTP generations of the server share (bursts of as many): each is a model step in the text worker and a frame on the event loop',
    }),
    option('text.maxFrameBytes', {
      flag: 'text-max-frame-bytes',
      env: 'SENSORIUM_TEXT_MAX_FRAME_BYTES',
      type: v.bytes(1024, 64 << 20),
      default: 64 << 10,
      doc: 'largest /ws/text frame (closed 1009); also the bytes/s read budget (bursts of 4 frames)',
    }),
    option('text.maxBufferedBytes', {
      flag: 'text-max-buffered-bytes',
      env: 'SENSORIUM_TEXT_MAX_BUFFERED_BYTES',
      type: v.bytes(1024, 1 << 30),
      default: 1 << 20,
      doc: 'unsent bytes per text socket beyond which a generation waits and other replies are dropped',
    }),
    option('text.slowConsumerMs', {
      flag: 'text-slow-consumer-ms',
      env: 'SENSORIUM_TEXT_SLOW_CONSUMER_MS',
      type: v.integer(100, HOUR),
      default: 30_000,
      doc: 'a text client that cannot be written to for this long is disconnected, ms',
    }),
    option('text.framesPerSec', {
      flag: 'text-max-frames-per-sec',
      env: 'SENSORIUM_TEXT_MAX_FRAMES_PER_SEC',
      type: v.integer(1, 1_000_000),
      default: 100,
      doc: 'frames per second per text connection (bursts of twice that); more: rate-limited',
    }),
    option('text.errorsPerSec', {
      flag: 'text-max-errors-per-sec',
      env: 'SENSORIUM_TEXT_MAX_ERRORS_PER_SEC',
      type: v.integer(1, 10_000),
      default: 20,
      doc: 'error replies per second per text connection (bursts of twice that); more are counted, not sent',
    }),
    option('text.writersDir', {
      flag: 'text-writers-dir',
      env: 'SENSORIUM_TEXT_WRITERS_DIR',
      type: v.text('dir'),
      default: 'data/writers',
      doc: 'folder of the writer histories that adapted word suggestions learn (one JSON file per writer id)',
    }),
    option('text.batching.maxBatch', { flag: 'text-max-batch', env: 'SENSORIUM_TEXT_MAX_BATCH', type: v.integer(1, 100_000), default: 256, doc: 'largest batch of LSTM steps' }),
    option('text.batching.maxDelayMs', { flag: 'text-max-delay-ms', env: 'SENSORIUM_TEXT_MAX_DELAY_MS', type: v.integer(0, 10_000), default: 1, doc: 'longest an LSTM step waits for others, ms' }),
    option('text.batching.maxQueue', {
      flag: 'text-max-queue',
      env: 'SENSORIUM_TEXT_MAX_QUEUE',
      type: v.integer(1, 10_000_000),
      default: 8192,
      doc: 'LSTM steps waiting; beyond it edits get overloaded',
    }),
  ]),
  ...section('Cluster', [
    option('cluster.bus', { flag: 'bus', env: 'SENSORIUM_BUS', type: v.bus, default: { kind: 'memory' }, doc: 'how the parts talk: memory (in-process, one process runs everything) or NATS servers' }),
    option('cluster.role', {
      flag: 'role',
      env: 'SENSORIUM_ROLE',
      type: v.oneOf(SERVER_ROLES),
      default: 'all',
      doc: 'all; gateway (sockets, HTTP, pipeline up to windows); inference (batcher and model workers); the last two need a NATS bus',
    }),
    option('cluster.nodeId', {
      flag: 'node-id',
      env: 'SENSORIUM_NODE_ID',
      type: v.nodeId,
      default: v.defaultNodeId(hostname(), process.pid),
      defaultText: '<hostname>-<pid>',
      doc: "this process's name in the cluster (letters, digits, - and _)",
    }),
    option('cluster.requestTimeoutMs', {
      flag: 'bus-request-timeout-ms',
      env: 'SENSORIUM_BUS_REQUEST_TIMEOUT_MS',
      type: v.integer(10, MINUTE),
      default: 1000,
      doc: 'how long a gateway waits for an inference reply before it retries another member, ms',
    }),
  ]),
] as const;

/** Every setting of Settings has an option: a new field without one fails to compile, naming it. */
type Uncovered = Exclude<SettingPath, (typeof OPTIONS)[number]['path']>;
const everySettingHasAnOption: [Uncovered] extends [never] ? true : Uncovered = true;
void everySettingHasAnOption;

/** The table without its per-entry types, for the code that walks it. */
export const CONFIG_OPTIONS: readonly ConfigOption[] = OPTIONS;

/** The environment variable that sets a setting (the first option at that path with one), for messages. */
export function envOf(path: SettingPath): string {
  const o = CONFIG_OPTIONS.find((x) => x.path === path && x.env !== undefined);
  if (!o?.env) throw new Error(`no variable sets ${path}`);
  return o.env;
}

/** The flag that sets a setting, with its dashes (`--tokens-file`), for messages. */
export function flagOf(path: SettingPath): string {
  const o = CONFIG_OPTIONS.find((x) => x.path === path && x.flag !== undefined);
  if (!o?.flag) throw new Error(`no flag sets ${path}`);
  return `--${o.flag}`;
}

/** The option landing at a path (the first, when two do). */
export function optionAt(path: SettingPath): ConfigOption {
  const o = CONFIG_OPTIONS.find((x) => x.path === path);
  if (!o) throw new Error(`no option at ${path}`);
  return o;
}
