// The real Sensorium server on loopback (port 0) for browser tests, serving the built client.
import { buildServer, type BuildOptions, type SensoriumServer } from '../../../server/app.js';
import { makeConfig, type ConfigOverrides } from '../../../server/config.js';

export interface TestServer {
  server: SensoriumServer;
  /** http://127.0.0.1:PORT */
  url: string;
  /** ws://127.0.0.1:PORT */
  wsUrl: string;
  close(): Promise<void>;
}

export async function startTestServer(overrides: ConfigOverrides = {}, opts: BuildOptions = {}): Promise<TestServer> {
  const config = makeConfig({ port: 0, host: '127.0.0.1', demo: false, backend: 'wasm', ...overrides });
  const server = await buildServer(config, { log: () => {}, ...opts });
  const url = await server.listen();
  return { server, url, wsUrl: url.replace(/^http/, 'ws'), close: () => server.close() };
}
