// What a client without a token can cost the server (issue 13, finding 3): sockets that never
// authenticate must not fill the dashboard cap that real dashboards need; a device that has not
// said a valid hello gets only a few small frames decoded; and the per-address connection cap
// counts an IPv6 /64 (what one subscriber gets) as one address.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../protocol/close-codes.js';
import { sleep, socketOutcome, startTestServer, TestClient, type TestServer } from './helpers.js';

const TOKEN = 'dashboard-token-1';

const open = (url: string, headers: Record<string, string>) => TestClient.connect(url, 'json', headers);

describe('dashboards that have not authenticated', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer({ authTokens: [TOKEN], maxDashboards: 2, preAuth: { maxDashboards: 3, timeoutMs: 400 } });
  });
  afterAll(() => srv?.close());

  it('do not count against the dashboard cap, are bounded on their own and closed after a short time', async () => {
    // Before its token, a dashboard's frames are small (a subscribe is): a big one closes it unread.
    const big = await TestClient.connect(srv.wsUrl('/ws/dashboard'));
    big.sendRaw(JSON.stringify({ type: 'subscribe', devices: Array.from({ length: 400 }, (_, i) => `device-${i}`) }));
    expect(await big.closed).toBe(CloseCode.tooBig);
    expect(big.of('error')).toEqual([]);
    await sleep(50);
    const idle = await Promise.all([0, 1, 2].map(() => TestClient.connect(srv.wsUrl('/ws/dashboard'))));
    const fourth = await TestClient.connect(srv.wsUrl('/ws/dashboard'));
    expect(await fourth.closed).toBe(CloseCode.tryAgainLater);
    expect(fourth.closeReason).toMatch(/at most 3 dashboards waiting for a token/);

    // Real dashboards (token at the upgrade: header, query, the page cookie) are not locked out.
    const real1 = await open(srv.wsUrl('/ws/dashboard'), { authorization: `Bearer ${TOKEN}` });
    real1.send({ type: 'subscribe', devices: '*' });
    await real1.count('devices', 1);
    const real2 = await TestClient.connect(srv.wsUrl(`/ws/dashboard?token=${TOKEN}`));
    real2.send({ type: 'subscribe', devices: '*' });
    await real2.count('devices', 1);
    const real3 = await open(srv.wsUrl('/ws/dashboard'), { cookie: `sensorium_token=${TOKEN}` });
    expect(await real3.closed).toBe(CloseCode.tryAgainLater);
    expect(real3.closeReason).toMatch(/at most 2 dashboards/);

    for (const c of idle) {
      expect(await c.closed).toBe(CloseCode.policy);
      expect(c.closeReason).toMatch(/no valid subscribe within 400 ms/);
    }
    // A dashboard that brings its token in the subscribe takes a slot once one is free.
    await real2.close();
    await sleep(50);
    const late = await TestClient.connect(srv.wsUrl('/ws/dashboard'));
    late.send({ type: 'subscribe', devices: '*', token: TOKEN });
    await late.count('devices', 1);
    // ... and is refused when the cap is full by then.
    const over = await TestClient.connect(srv.wsUrl('/ws/dashboard'));
    over.send({ type: 'subscribe', devices: '*', token: TOKEN });
    expect(await over.closed).toBe(CloseCode.tryAgainLater);
    await Promise.all([real1.close(), late.close()]);
  });
});

describe('devices before a valid hello', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer({ authTokens: [TOKEN], preAuth: { maxFrames: 4, maxFrameBytes: 4096 } });
  });
  afterAll(() => srv?.close());

  it('a large frame before the token is not decoded: the socket closes with 1009', async () => {
    const c = await TestClient.connect(srv.wsUrl('/ws/device'));
    const t = Array.from({ length: 3000 }, (_, i) => 1000 + i * 20);
    c.sendRaw(JSON.stringify({ type: 'samples', seq: 0, t, x: t.map(() => 0), y: t.map(() => 0), z: t.map(() => 1) }));
    expect(await c.closed).toBe(CloseCode.tooBig); // ws's receiver refuses it at the header ('Max payload size exceeded')
    expect(c.of('error')).toEqual([]); // nothing was decoded, so nothing was answered
  });

  it('a frame that announces more than 4 KiB before the token is refused at its header, before its bytes are read', async () => {
    const { port } = new URL(srv.url);
    const socket = connect(Number(port), '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (b: Buffer) => received.push(b));
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `GET /ws/device HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    const text = () => Buffer.concat(received).toString('latin1');
    for (let i = 0; i < 100 && !text().includes('\r\n\r\n'); i++) await sleep(20);
    expect(text()).toMatch(/^HTTP\/1\.1 101/);
    // A masked binary frame announcing 1 MiB, of which only 16 bytes follow.
    const header = Buffer.alloc(14);
    header[0] = 0x82;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(1 << 20), 2);
    socket.write(Buffer.concat([header, randomBytes(16)]));
    const closeFrame = Buffer.from([0x88, 0x1d, 0x03, 0xf1]); // close, 1009
    for (let i = 0; i < 50 && !Buffer.concat(received).includes(closeFrame.subarray(2)); i++) await sleep(20);
    const afterHandshake = Buffer.concat(received).subarray(text().indexOf('\r\n\r\n') + 4);
    expect(afterHandshake[0]).toBe(0x88); // the server closed without waiting for the megabyte
    expect(afterHandshake.readUInt16BE(2)).toBe(CloseCode.tooBig);
    socket.destroy();
  });

  it('only a few frames are decoded before a valid hello', async () => {
    const c = await TestClient.connect(srv.wsUrl('/ws/device'));
    for (let i = 0; i < 10; i++) c.sendRaw('{}');
    expect(await c.closed).toBe(CloseCode.policy);
    expect(c.closeReason).toMatch(/4 frames without a valid hello/);
    expect(c.of('error').length).toBe(4);
  });

  it('after a hello with its token a device sends full-size frames', async () => {
    const c = await TestClient.connect(srv.wsUrl('/ws/device'));
    c.send({ type: 'hello', deviceId: 'big-frames', rateHz: 50, units: 'g', token: TOKEN });
    await c.count('welcome', 1);
    const t = Array.from({ length: 2000 }, (_, i) => 1000 + i * 20);
    c.send({ type: 'samples', seq: 0, t, x: t.map(() => 0.01), y: t.map(() => 0.02), z: t.map(() => 1) });
    await c.count('prediction', 1);
    expect(c.of('error')).toEqual([]);
    await c.close();
  });

  it('a device authenticated at the upgrade is not held to the pre-hello limits', async () => {
    const c = await TestClient.connect(srv.wsUrl(`/ws/device?token=${TOKEN}`));
    for (let i = 0; i < 6; i++) c.sendRaw('{}');
    await c.count('error', 6);
    c.send({ type: 'hello', deviceId: 'upgrade-authenticated', rateHz: 50, units: 'g' });
    await c.count('welcome', 1);
    expect(c.closeCode).toBeUndefined();
    await c.close();
  });
});

describe('per-address connection cap and IPv6', () => {
  it('counts an IPv6 /64 as one address', async () => {
    const srv = await startTestServer({ maxConnectionsPerIp: 2, trustedProxies: ['127.0.0.1'] });
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    const outcome = (ip: string) => socketOutcome(srv.wsUrl('/ws/dashboard'), from(ip));
    try {
      const held = [await open(srv.wsUrl('/ws/dashboard'), from('2001:db8:1:2::1')), await open(srv.wsUrl('/ws/dashboard'), from('2001:DB8:1:2:ffff:ffff:ffff:2'))];
      expect(await outcome('2001:db8:1:2:0:0:0:3')).toBe(CloseCode.tryAgainLater); // same /64, another address
      expect(await outcome('2001:db8:1:3::1')).toBe('open'); // the next /64
      const v4 = [await open(srv.wsUrl('/ws/dashboard'), from('203.0.113.1')), await open(srv.wsUrl('/ws/dashboard'), from('::ffff:203.0.113.1'))];
      expect(await outcome('203.0.113.1')).toBe(CloseCode.tryAgainLater);
      expect(await outcome('203.0.113.2')).toBe('open'); // IPv4 stays per address
      await Promise.all([...held, ...v4].map((c) => c.close()));
    } finally {
      await srv.close();
    }
  });
});
