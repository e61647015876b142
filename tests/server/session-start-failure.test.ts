// Issue 13, finding 5: a session that fails to start (here: every device is recorded and opening
// its recording throws, as creating the recordings folder did) must give its device slot back. It
// used to stay claimed, so the device id answered `id-in-use` forever.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RecordingManager } from '../../server/recording/recording-manager.js';
import { startTestServer, TestClient, type TestServer } from './helpers.js';

let srv: TestServer;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sensorium-start-failure-'));
  srv = await startTestServer({ recording: { all: true, dir } });
  vi.spyOn(RecordingManager.prototype, 'open').mockImplementation(() => {
    throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}/recordings'`), { code: 'ENOTDIR' });
  });
});
afterAll(async () => {
  vi.restoreAllMocks();
  await srv?.close();
});

async function hello(deviceId: string) {
  const c = await TestClient.connect(srv.wsUrl('/ws/device'));
  c.send({ type: 'hello', deviceId, rateHz: 50, units: 'g' });
  await c.until((ms) => ms.length > 0, 10_000, 'an answer to hello');
  return c;
}

describe('a session that fails to start', () => {
  it('tells the device why and frees its id', async () => {
    const first = await hello('unlucky');
    expect(first.messages[0]).toMatchObject({ type: 'error', code: 'internal' });
    await first.close();

    // The same id again (another connection): the same failure, not `id-in-use`.
    const second = await hello('unlucky');
    expect(second.messages[0]).toMatchObject({ type: 'error', code: 'internal' });
    expect(srv.server.parts.registry.size).toBe(0);
    expect(srv.server.parts.sessions.size).toBe(0);
    const health = await fetch(`${srv.url}/api/health`).then((r) => r.json());
    expect(health.devicesConnected).toBe(0);
    expect(String(first.messages[0]!.message)).toMatch(/could not start the session: ENOTDIR/);
    await second.close();
  });
});
