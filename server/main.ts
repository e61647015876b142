// `npm start [-- --port N --host H --no-demo --backend B]`: the Sensorium streaming server.
import { CliError, parseOptions, type CommandSpec } from '../cli/args.js';
import { backendOption } from '../cli/backend-option.js';
import { runMain } from '../cli/subcommands.js';
import { buildServer } from './app.js';
import { ConfigError, configFromEnv, ENV_VARS, HAR_MODEL_MODES, type ServerConfig } from './config.js';
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
    },
    notes: [
      'Endpoints:',
      `  ws   ${DEVICE_PATH}          devices: hello, then samples (JSON text or msgpack binary)`,
      `  ws   ${DASHBOARD_PATH}       viewers: subscribe, then devices / prediction / signal / stats`,
      `  POST ${SENSOR_LOGGER_PATH}   Sensor Logger app HTTP push`,
      '  GET  /api/health',
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
  };
  const server = await buildServer(config, { logger: { level: process.env.LOG_LEVEL ?? 'warn' } });
  const url = await server.listen();
  const wsUrl = url.replace(/^http/, 'ws');
  console.error(`sensorium: listening on ${url} (devices ${wsUrl}${DEVICE_PATH}, dashboards ${wsUrl}${DASHBOARD_PATH}, health ${url}/api/health)`);

  // ---- demo phones hook: synthetic phones from simulators/demo-phones.ts (npm start only) ----
  let stopDemo: (() => Promise<void>) | undefined;
  if (config.demo) {
    const { startDemoPhones } = await import('../simulators/demo-phones.js');
    stopDemo = startDemoPhones({ url: `${wsUrl}${DEVICE_PATH}`, count: config.demoPhones });
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`sensorium: ${signal}, shutting down`);
    await stopDemo?.();
    await server.close();
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

await runMain('start', () => main(process.argv.slice(2)));
