// `npm start [-- --port N --host H --no-demo --backend B ...]`: the Sensorium streaming server.
// SIGINT/SIGTERM stop it gracefully (see SensoriumServer.close); a second signal exits at once.
// Failures that escape every handler meet the process policy (server/process-policy.ts).
import { readFileSync } from 'node:fs';
import { CliError, parseOptions, type CommandSpec } from '../cli/args.js';
import { backendOption } from '../cli/backend-option.js';
import { runMain } from '../cli/subcommands.js';
import { buildServer } from './app.js';
import { ConfigError, configFromEnv, ENV_VARS, HAR_MODEL_MODES, parseHostNames, parseTokensFile, type ServerConfig, type TlsConfig } from './config.js';
import { watchProcessErrors } from './metrics/operations-metrics.js';
import { METRICS_PATH } from './plugins/metrics.js';
import { ProcessPolicy } from './process-policy.js';
import { RECORDINGS_PATH } from './plugins/recordings.js';
import { DASHBOARD_PATH } from './plugins/dashboard-socket.js';
import { DEVICE_PATH } from './plugins/device-socket.js';
import { SENSOR_LOGGER_PATH } from './plugins/sensor-logger.js';

function spec(defaults: ServerConfig): CommandSpec {
  return {
    usage: 'npm start -- [options]',
    summary: 'Serves live activity recognition: devices stream to /ws/device, dashboards watch /ws/dashboard.',
    options: {
      port: { type: 'integer', min: 0, max: 65535, default: defaults.port, description: 'TCP port (env PORT; 0 = any free port)' },
      host: { type: 'string', default: defaults.host, description: 'interface to listen on (env HOST; 0.0.0.0 for phones on your network)' },
      backend: { ...backendOption, default: defaults.backend },
      demo: { type: 'boolean', default: true, description: 'also start synthetic demo phones (--no-demo to skip)' },
      'demo-phones': { type: 'integer', min: 1, max: 50, default: defaults.demoPhones, description: 'how many demo phones' },
      model: { type: 'string', choices: HAR_MODEL_MODES, default: defaults.harModel, description: 'HAR model: trained, untrained, or auto (trained if present; env SENSORIUM_HAR_MODE)' },
      'model-dir': { type: 'string', description: 'folder of the HAR model (default models/trained/har; env SENSORIUM_HAR_MODEL)' },
      'allowed-hosts': { type: 'string', description: 'comma list of extra Host names served, e.g. sensorium.lan (env SENSORIUM_ALLOWED_HOSTS; loopback and the bound address always; any IP with --host 0.0.0.0; * for any)' },
      'tokens-file': { type: 'string', description: 'file of accepted tokens, one per line as scope:token (device, viewer or admin; a plain token is admin) (env SENSORIUM_TOKENS=a,b); required unless --host is loopback' },
      record: { type: 'boolean', default: defaults.recording.all, description: 'record every device stream to --recordings-dir (env SENSORIUM_RECORD=1)' },
      'recordings-dir': { type: 'string', default: defaults.recording.dir, description: 'folder of the recordings (env SENSORIUM_RECORDINGS_DIR)' },
      'tls-cert': { type: 'string', description: 'HTTPS: certificate file (PEM), with --tls-key' },
      'tls-key': { type: 'string', description: 'HTTPS: private key file (PEM), with --tls-cert' },
      'tls-self-signed': { type: 'boolean', default: false, description: 'HTTPS with a self-signed certificate made at start (needs openssl); phones must accept a warning' },
    },
    notes: [
      'Endpoints:',
      `  ws   ${DEVICE_PATH}          devices: hello, then samples (JSON text or msgpack binary)`,
      `  ws   ${DASHBOARD_PATH}       viewers: subscribe, then devices / prediction / signal / stats`,
      `  POST ${SENSOR_LOGGER_PATH}   Sensor Logger app HTTP push`,
      `  GET  /api/health                 (no token needed)`,
      `  GET  ${METRICS_PATH}                    Prometheus metrics`,
      `  GET  ${RECORDINGS_PATH}; POST ${RECORDINGS_PATH}/:deviceId/start|stop`,
      '',
      'Auth: with tokens, clients send Authorization: Bearer <token>, ?token=<token> (pages: open /phone/?token=...),',
      'or the token in hello/subscribe. Phones on your LAN: --host 0.0.0.0 --tokens-file FILE --tls-self-signed,',
      'then open https://<this computer>:PORT/phone/?token=<token> and accept the certificate warning (server/README.md).',
      '',
      `Environment (limits and batching; see server/config.ts): ${ENV_VARS.join(', ')}`,
    ].join('\n'),
  };
}

async function main(argv: string[]): Promise<void> {
  let base: ServerConfig;
  try {
    base = configFromEnv();
  } catch (err) {
    throw err instanceof ConfigError ? new CliError(err.message) : err;
  }
  const opts = parseOptions(spec(base), argv);
  const config: ServerConfig = {
    ...base,
    port: opts.port as number,
    host: opts.host as string,
    backend: opts.backend as string,
    demo: opts.demo as boolean,
    demoPhones: opts['demo-phones'] as number,
    harModel: opts.model as ServerConfig['harModel'],
    harModelDir: (opts['model-dir'] as string | undefined) ?? base.harModelDir,
    recording: { ...base.recording, all: opts.record as boolean, dir: opts['recordings-dir'] as string },
  };
  const allowedHosts = opts['allowed-hosts'] as string | undefined;
  if (allowedHosts !== undefined) config.allowedHosts = [...config.allowedHosts, ...hostsOption(allowedHosts)];
  const tokensFile = opts['tokens-file'] as string | undefined;
  if (tokensFile !== undefined) config.authTokens = [...config.authTokens, ...readTokens(tokensFile)];
  const tls = tlsOption(opts);
  if (tls) config.tls = tls;
  let server;
  try {
    server = await buildServer(config, { logger: { level: process.env.LOG_LEVEL ?? 'info' } });
  } catch (err) {
    throw err instanceof ConfigError ? new CliError(err.message) : err;
  }
  const url = await server.listen();
  const wsUrl = url.replace(/^http/, 'ws');
  console.error(`sensorium: listening on ${url} (devices ${wsUrl}${DEVICE_PATH}, dashboards ${wsUrl}${DASHBOARD_PATH}, health ${url}/api/health)`);
  if (server.tls) console.error(`sensorium: HTTPS certificate${server.tls.selfSigned ? ' (self-signed)' : ''} SHA-256 ${server.tls.fingerprint} for ${server.tls.subjectAltNames}`);
  if (config.recording.all) console.error(`sensorium: recording every device to ${server.ctx.recordings.dir}`);

  // ---- demo phones hook: synthetic phones from simulators/demo-phones.ts (npm start only) ----
  let stopDemo: (() => Promise<void>) | undefined;
  if (config.demo) {
    const { startDemoPhones } = await import('../simulators/demo-phones.js');
    stopDemo = startDemoPhones({ url: `${wsUrl}${DEVICE_PATH}`, count: config.demoPhones });
  }

  let stopping = false;
  const shutdown = async (signal: string, exitCode = 0) => {
    if (stopping) {
      console.error(`sensorium: ${signal} again, exiting now`);
      process.exit(130);
    }
    stopping = true;
    console.error(`sensorium: ${signal}: finishing pending predictions, closing connections, flushing recordings`);
    const started = performance.now();
    try {
      await stopDemo?.();
      await server.close();
      console.error(`sensorium: stopped cleanly in ${Math.round(performance.now() - started)} ms`);
      process.exit(exitCode);
    } catch (err) {
      console.error(`sensorium: shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  // Last resort: log, count (/metrics) and keep serving; a burst of uncaught exceptions ends the
  // process through the graceful shutdown, with exit code 70 for a supervisor to restart it.
  const policy = new ProcessPolicy({
    log: server.app.log,
    fatal: (reason) => {
      console.error(`sensorium: ${reason}: shutting down`);
      void shutdown('process policy', 70);
    },
  });
  policy.install();
  watchProcessErrors(server.metrics.registry, () => policy.counts);
}

function readTokens(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`--tokens-file ${file}: ${(err as Error).message}`);
  }
  try {
    return parseTokensFile(text, file);
  } catch (err) {
    throw err instanceof ConfigError ? new CliError(err.message) : err;
  }
}

function hostsOption(text: string): string[] {
  try {
    return parseHostNames(text, '--allowed-hosts');
  } catch (err) {
    throw err instanceof ConfigError ? new CliError(err.message) : err;
  }
}

function tlsOption(opts: Record<string, unknown>): TlsConfig | undefined {
  const cert = opts['tls-cert'] as string | undefined;
  const key = opts['tls-key'] as string | undefined;
  if (opts['tls-self-signed']) {
    if (cert || key) throw new CliError('--tls-self-signed makes its own certificate: leave out --tls-cert and --tls-key');
    return { selfSigned: true };
  }
  if ((cert === undefined) !== (key === undefined)) throw new CliError('--tls-cert and --tls-key go together');
  return cert && key ? { certFile: cert, keyFile: key } : undefined;
}

await runMain('start', () => main(process.argv.slice(2)));
