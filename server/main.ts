// `npm start [-- --port N --host H --no-demo --backend B ...]`: the Sensorium streaming server.
// SIGINT/SIGTERM stop it gracefully (see SensoriumServer.close); a second signal exits at once.
// Failures that escape every handler meet the process policy (server/process-policy.ts).
import { resolve } from 'node:path';
import { CliError } from '../cli/args.js';
import { runMain } from '../cli/subcommands.js';
import { ConfigError, parseServerConfig, type ServerConfig } from './config.js';
import { optionsHelp } from './config/help.js';
import { watchProcessErrors } from './metrics/operations-metrics.js';
import { METRICS_PATH } from './plugins/metrics.js';
import { applyHeapPolicy } from './heap-policy.js';
import { ProcessPolicy } from './process-policy.js';
import { RECORDINGS_PATH } from './plugins/recordings.js';
import { DASHBOARD_PATH } from './plugins/dashboard-socket.js';
import { DEVICE_PATH } from './plugins/device-socket.js';
import { SENSOR_LOGGER_PATH } from './plugins/sensor-logger.js';
import { lanAddresses, phonePageUrls } from './phone-link/phone-urls.js';
import { streamingToken } from './phone-link/phone-token.js';
import { terminalQr } from './phone-link/qr-code.js';
import type { TlsMaterial } from './security/tls.js';
import { serverLoggerOptions } from './log-output.js';

/** --help: every option of the table (config/options.ts), then the endpoints. */
function help(): string {
  return optionsHelp({
    usage: 'npm start -- [options]',
    summary: 'Serves live activity recognition: devices stream to /ws/device, dashboards watch /ws/dashboard.',
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
    ].join('\n'),
  });
}

/** The certificate's fingerprint (to compare with the phone's warning page), and whether it is the one kept from before. */
function certificateLine(tls: TlsMaterial): string {
  const kept = tls.store ? (tls.store.reused ? `, reused from ${tls.store.dir}` : `, new in ${tls.store.dir} (${tls.store.madeBecause ?? 'none stored'})`) : '';
  return `sensorium: HTTPS certificate${tls.selfSigned ? ' (self-signed)' : ''} SHA-256 ${tls.fingerprint}, valid until ${tls.validTo}${kept}; names ${tls.subjectAltNames}`;
}

/** Off loopback: the phone page's LAN URL(s) with a streaming token, and the first as a QR code. */
async function printPhoneLink(config: ServerConfig, listeningUrl: string): Promise<void> {
  const addresses = lanAddresses(config.host);
  if (addresses.length === 0) return;
  const secure = listeningUrl.startsWith('https:');
  const urls = phonePageUrls(addresses, Number(new URL(listeningUrl).port), secure, streamingToken(config.authTokens));
  console.error(`sensorium: phones on your LAN open ${urls.join(' or ')}${secure ? '' : ' (phone browsers give motion sensors only to HTTPS pages: add --tls-self-signed)'}`);
  console.error(await terminalQr(urls[0]!));
}

async function main(argv: string[]): Promise<void> {
  let config: ServerConfig;
  let server;
  let cluster;
  try {
    config = parseServerConfig(argv, process.env, help);
    applyHeapPolicy(config);
    // Loaded once the settings are good, so that --help and typos answer at once (no TensorFlow).
    const { buildServer } = await import('./app.js');
    const { joinCluster } = await import('./cluster/join-cluster.js');
    // With --bus nats://…: this process is a gateway, an inference member or both (--role).
    cluster = await joinCluster(config.cluster, (m) => console.error(m));
    server = await buildServer(config, { logger: serverLoggerOptions(config.logLevel, config.logFormat), ...(cluster ? { cluster } : {}) });
  } catch (err) {
    throw err instanceof ConfigError ? new CliError(err.message) : err;
  }
  const url = await server.listen();
  const wsUrl = url.replace(/^http/, 'ws');
  console.error(`sensorium: listening on ${url} (devices ${wsUrl}${DEVICE_PATH}, dashboards ${wsUrl}${DASHBOARD_PATH}, health ${url}/api/health)`);
  if (server.tls) console.error(certificateLine(server.tls));
  await printPhoneLink(config, url);
  if (config.recording.all) console.error(`sensorium: recording every device to ${resolve(config.recording.dir)}`);

  // ---- demo phones hook: synthetic phones from simulators/demo-phones.ts (npm start only) ----
  let stopDemo: (() => Promise<void>) | undefined;
  if (config.demo && config.cluster.role !== 'inference') {
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
      await cluster?.bus.close();
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

await runMain('start', () => main(process.argv.slice(2)));
