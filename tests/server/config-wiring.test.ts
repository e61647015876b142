// Settings read from the environment and flags reach a real server: a text-frame budget and a
// hello deadline that had no variable before, set the way an operator would (npm start's parser),
// against a server on the defaults.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../protocol/close-codes.js';
import { buildServer, type SensoriumServer } from '../../server/app.js';
import { parseServerConfig } from '../../server/config.js';
import { TestClient } from './helpers.js';

const BASE_FLAGS = ['--port', '0', '--host', '127.0.0.1', '--no-demo', '--backend', 'wasm', '--model', 'untrained'];

async function serve(argv: string[], env: NodeJS.ProcessEnv): Promise<{ server: SensoriumServer; ws: (path: string) => string }> {
  const server = await buildServer(parseServerConfig([...BASE_FLAGS, ...argv], env), { log: () => {} });
  const url = await server.listen();
  return { server, ws: (path) => url.replace(/^http/, 'ws') + path };
}

/** Sends `n` frames at once to /ws/text and returns the error codes it got back within a second. */
async function textErrors(url: string, n: number): Promise<string[]> {
  const client = await TestClient.connect(url);
  for (let i = 0; i < n; i++) client.send({ type: 'no-such-message', i });
  await client.until((ms) => ms.filter((m) => m.type === 'error').length >= n, 5000, `${n} errors`);
  await client.close();
  return client.of('error').map((m) => String(m.code));
}

describe('settings from variables and flags reach the server', () => {
  let tuned: Awaited<ReturnType<typeof serve>>;
  let defaults: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    tuned = await serve(['--text-max-frames-per-sec', '2'], { SENSORIUM_HELLO_TIMEOUT_MS: '300' });
    defaults = await serve([], {});
  }, 60_000);
  afterAll(async () => {
    await tuned?.server.close();
    await defaults?.server.close();
  });

  it('--text-max-frames-per-sec: frames beyond the budget (bursts of twice it) are refused rate-limited', async () => {
    const limited = await textErrors(tuned.ws('/ws/text'), 6);
    expect(limited.filter((c) => c === 'rate-limited').length).toBeGreaterThanOrEqual(1);
    expect(limited.slice(0, 4).every((c) => c !== 'rate-limited')).toBe(true); // the burst of 4 passes
    const unlimited = await textErrors(defaults.ws('/ws/text'), 6);
    expect(unlimited).not.toContain('rate-limited');
  });

  it('SENSORIUM_HELLO_TIMEOUT_MS: a device without a hello is closed 1008 after it', async () => {
    const started = Date.now();
    const silent = await TestClient.connect(tuned.ws('/ws/device'));
    expect(await silent.closed).toBe(CloseCode.policy);
    expect(Date.now() - started).toBeLessThan(5000);
    const patient = await TestClient.connect(defaults.ws('/ws/device'));
    await new Promise((r) => setTimeout(r, 1000));
    expect(patient.closeCode).toBeUndefined(); // the default waits 10 s
    await patient.close();
  });
});
