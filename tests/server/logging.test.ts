// Structured logs: JSON lines through Fastify's pino, HTTP requests with a request id (the
// caller's x-request-id when given), WebSocket events with the connection id and device id.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TestClient, type TestServer } from './helpers.js';

const lines: Record<string, unknown>[] = [];
const stream = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l));
    done();
  },
});

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({}, { logger: { level: 'info', stream } });
});
afterAll(() => srv?.close());

describe('logs', () => {
  it('carry request ids and connection/device ids', async () => {
    // Not /api/health: polled routes log their requests only at debug (server/http/quiet-polling-routes.ts).
    await fetch(`${srv.url}/api/models`, { headers: { 'x-request-id': 'trace-42' } });
    const c = await TestClient.connect(srv.wsUrl('/ws/device'));
    c.send({ type: 'hello', deviceId: 'logged-phone', rateHz: 50, units: 'g' });
    await c.count('welcome', 1);
    await c.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(lines.some((l) => l.reqId === 'trace-42' && typeof l.req === 'object')).toBe(true);
    const connected = lines.find((l) => l.msg === 'device connected')!;
    expect(connected).toMatchObject({ level: 30, deviceId: 'logged-phone', conn: expect.stringMatching(/^ws-\d+$/), ip: '127.0.0.1', resumed: false });
    expect(lines.find((l) => l.msg === 'device disconnected')).toMatchObject({ conn: connected.conn, deviceId: 'logged-phone' });
  });
});
