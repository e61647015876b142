// HTTP connections cannot be held open for free (issue 13, finding 6): a client that trickles its
// headers (slowloris) or its body, or leaves a keep-alive connection idle, is cut after the
// configured timeouts while other clients are served; and shutdown completes within its deadline
// even with a slow request still open.
import { connect, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';

const servers: TestServer[] = [];
const sockets: Socket[] = [];
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => s.close().catch(() => undefined)));
});

/** A raw TCP client: what it received, and when the server closed it (ms after opening). */
async function rawClient(url: string) {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  sockets.push(socket);
  const opened = performance.now();
  let received = '';
  socket.on('data', (d) => (received += d.toString()));
  socket.on('error', () => {});
  const closedAfterMs = new Promise<number>((resolve) => socket.on('close', () => resolve(performance.now() - opened)));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, received: () => received, closedAfterMs };
}

/** Writes `chunk` every `everyMs` until the socket closes. */
function trickle(socket: Socket, chunk: string, everyMs: number): void {
  const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write(chunk)), everyMs);
  socket.once('close', () => clearInterval(timer));
}

const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);

describe('HTTP timeouts', () => {
  it('cuts a slowloris client (headers a line at a time) and serves others meanwhile', async () => {
    const srv = await startTestServer({ http: { headersTimeoutMs: 1000, requestTimeoutMs: 2000 } });
    servers.push(srv);
    const slow = await rawClient(srv.url);
    slow.socket.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    trickle(slow.socket, 'X-Slow: 1\r\n', 200);
    const health = await fetch(`${srv.url}/api/health`);
    expect(health.status).toBe(200);
    const closed = await within(slow.closedAfterMs, 6000);
    expect(closed).not.toBe('timeout');
    expect(closed as number).toBeGreaterThanOrEqual(900);
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('cuts a request whose body trickles in past the request timeout', async () => {
    const srv = await startTestServer({ http: { headersTimeoutMs: 1000, requestTimeoutMs: 2000 } });
    servers.push(srv);
    const slow = await rawClient(srv.url);
    slow.socket.write('POST /api/sensor-logger HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"payload":[');
    trickle(slow.socket, ' ', 200);
    const closed = await within(slow.closedAfterMs, 8000);
    expect(closed).not.toBe('timeout');
    expect(closed as number).toBeGreaterThanOrEqual(1900);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const srv = await startTestServer({ http: { keepAliveTimeoutMs: 500 } });
    servers.push(srv);
    const client = await rawClient(srv.url);
    client.socket.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    const closed = await within(client.closedAfterMs, 5000);
    expect(closed).not.toBe('timeout');
    expect(client.received()).toMatch(/^HTTP\/1\.1 200/);
  });

  it('shutdown completes within its deadline with a slow request open', async () => {
    const srv = await startTestServer({ shutdownTimeoutMs: 1000, http: { requestTimeoutMs: 120_000, headersTimeoutMs: 60_000 } });
    const slow = await rawClient(srv.url);
    slow.socket.write('POST /api/sensor-logger HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"payload":[');
    trickle(slow.socket, ' ', 100);
    await new Promise((r) => setTimeout(r, 300));
    const started = performance.now();
    const result = await within(srv.close(), 10_000);
    const tookMs = performance.now() - started;
    if (result === 'timeout') servers.push(srv); // let afterAll try again
    expect(result).not.toBe('timeout');
    expect(tookMs).toBeLessThan(4000);
    expect(await within(slow.closedAfterMs, 2000)).not.toBe('timeout');
  });
});
