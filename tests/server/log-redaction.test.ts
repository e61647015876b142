// Tokens never reach the log: not in request URLs (?token=, what Sensor Logger users configure),
// not in Authorization headers or cookies, not in WebSocket upgrade URLs, accepted or wrong.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { sleep, startTestServer, TestClient, type TestServer } from './helpers.js';

const TOKEN = 'secret-token-ABC123';
const WRONG = 'wrong-guess-XYZ789';
const HEADER_TOKEN = 'header-token-QRS456';

const text: string[] = [];
const stream = new Writable({
  write(chunk: Buffer, _enc, done) {
    text.push(chunk.toString());
    done();
  },
});
const lines = () =>
  text
    .join('')
    .split('\n')
    .filter((l) => l.trim());

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ authTokens: [TOKEN, HEADER_TOKEN] }, { logger: { level: 'trace', stream } });
});
afterAll(() => srv?.close());

/** Opens a socket and waits for it to close or stay open a moment. */
async function touch(url: string, headers: Record<string, string> = {}): Promise<void> {
  const ws = new WebSocket(url, { headers });
  ws.on('error', () => {});
  await new Promise<void>((resolve) => {
    ws.on('close', () => resolve());
    ws.on('unexpected-response', () => resolve());
    ws.on('open', () => setTimeout(() => (ws.close(), resolve()), 100));
  });
}

describe('log redaction', () => {
  it('no log line holds a token, however it was sent and whether or not it was accepted', async () => {
    expect((await fetch(`${srv.url}/api/recordings?token=${TOKEN}`)).status).toBe(200);
    expect((await fetch(`${srv.url}/api/recordings?a=1&token=${WRONG}&b=2`)).status).toBe(401);
    expect((await fetch(`${srv.url}/no-such-page?token=${TOKEN}`)).status).toBe(404);
    expect((await fetch(`${srv.url}/api/sensor-logger?token=${TOKEN}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"broken' })).status).toBe(400);
    expect((await fetch(`${srv.url}/metrics`, { headers: { authorization: `Bearer ${HEADER_TOKEN}` } })).status).toBe(200);
    expect((await fetch(`${srv.url}/metrics`, { headers: { cookie: `sensorium_token=${HEADER_TOKEN}` } })).status).toBe(200);
    await touch(srv.wsUrl(`/ws/text?token=${WRONG}`));
    await touch(srv.wsUrl(`/ws/nowhere?token=${TOKEN}`));
    const device = await TestClient.connect(srv.wsUrl(`/ws/device?token=${TOKEN}`));
    device.send({ type: 'hello', deviceId: 'redacted-phone', rateHz: 50, units: 'g' });
    await device.count('welcome', 1);
    await device.close();
    // Anything the server's own code logs passes through the same filter.
    srv.server.app.log.info({ headers: { authorization: `Bearer ${TOKEN}`, cookie: `a=1; sensorium_token=${TOKEN}` }, url: `/x?token=${WRONG}` }, `custom line ?token=${WRONG}`);
    await sleep(100);

    const all = lines();
    expect(all.length).toBeGreaterThan(10);
    for (const secret of [TOKEN, WRONG, HEADER_TOKEN]) {
      const leaks = all.filter((l) => l.includes(secret));
      expect(leaks, `lines holding ${secret}`).toEqual([]);
    }
    // The lines are still there and still useful: the URL with the token's place marked.
    const parsed = all.map((l) => JSON.parse(l) as { msg?: string; deviceId?: string; req?: { url?: string }; headers?: unknown });
    expect(parsed.some((l) => l.req?.url === '/api/recordings?token=[REDACTED]')).toBe(true);
    expect(parsed.some((l) => l.req?.url === '/api/recordings?a=1&token=[REDACTED]&b=2')).toBe(true);
    expect(parsed.some((l) => l.msg === 'device connected' && l.deviceId === 'redacted-phone')).toBe(true);
    const custom = parsed.find((l) => typeof l.msg === 'string' && l.msg.startsWith('custom line'))!;
    expect(custom.msg).toBe('custom line ?token=[REDACTED]');
    expect(custom.headers).toEqual({ authorization: '[REDACTED]', cookie: 'a=1; sensorium_token=[REDACTED]' });
  });
});
