// Hostile clients on /ws/text against the real server process: one frame must never end the
// server, and a client that never reads must not make the server queue replies without bound.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { startChildServer, type ChildServer } from '../server/child-server.js';

let server: ChildServer;
beforeAll(async () => {
  server = await startChildServer([], { SENSORIUM_TEXT_MODELS: 'english-word' });
}, 90_000);
afterAll(() => server?.proc.kill('SIGKILL'));

function open(): Promise<WebSocket> {
  const ws = new WebSocket(server.wsUrl('/ws/text'));
  return new Promise((resolve, reject) => (ws.once('open', () => resolve(ws)), ws.once('error', reject)));
}

function nextMessage(ws: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no reply in time')), 10_000);
    ws.once('message', (d, isBinary) => {
      clearTimeout(t);
      resolve((isBinary ? new Packr({ useRecords: false }).unpack(d as Buffer) : JSON.parse(d.toString())) as Record<string, unknown>);
    });
  });
}

async function serverAnswers(): Promise<void> {
  const res = await fetch(`${server.url}/api/health`);
  expect([200, 503]).toContain(res.status);
}

describe('/ws/text under hostile input', () => {
  it('answers a msgpack {type: BigInt} frame with a typed error and keeps serving', async () => {
    const ws = await open();
    // {type: 1n}: msgpack map, "type", uint64 1 (msgpackr decodes uint64 as BigInt)
    ws.send(Buffer.from('81a474797065cf0000000000000001', 'hex'));
    const reply = await nextMessage(ws);
    expect(reply).toMatchObject({ type: 'error', code: 'invalid' });
    expect(String(reply.message)).toMatch(/unknown message type/);
    // The same connection still works.
    ws.send(JSON.stringify({ type: 'stop', id: 'x' }));
    ws.send(JSON.stringify({ type: 'nope' }));
    expect(await nextMessage(ws)).toMatchObject({ type: 'error', code: 'invalid' });
    ws.close();
    await serverAnswers();
  });

  it('survives random msgpack and random bytes', async () => {
    const ws = await open();
    const packr = new Packr({ useRecords: false, largeBigIntToFloat: false });
    const frames = fc.sample(
      fc.oneof(
        fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
        fc
          .record(
            { type: fc.oneof(fc.bigInt(), fc.string(), fc.constantFrom('start', 'edit', 'generate', 'stop')), seq: fc.oneof(fc.bigInt(), fc.integer(), fc.double()), id: fc.anything() },
            { requiredKeys: [] },
          )
          .map((v) => {
            try {
              return Buffer.from(packr.pack(v));
            } catch {
              return Buffer.from([0xc1]);
            }
          }),
      ),
      { numRuns: 300, seed: 7 },
    );
    for (const f of frames) ws.send(f);
    ws.send(JSON.stringify({ type: 'stop', id: 'end' }));
    await new Promise((r) => setTimeout(r, 500));
    await serverAnswers();
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  });

  it('does not queue error replies without bound for a client that never reads', async () => {
    const ws = await open();
    const rssBefore = await serverRssMb();
    // Stop reading: the server's replies pile up in its socket buffer unless it bounds them.
    (ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const frame = '{}';
    const deadline = performance.now() + 4000;
    let sent = 0;
    while (performance.now() < deadline) {
      for (let i = 0; i < 500; i++) ws.send(frame);
      sent += 500;
      await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 500));
    const rssAfter = await serverRssMb();
    expect(sent).toBeGreaterThan(50_000);
    expect(rssAfter - rssBefore).toBeLessThan(100);
    ws.terminate();
    await serverAnswers();
  }, 30_000);
});

async function serverRssMb(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const m = /^process_resident_memory_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)/m.exec(text);
  if (!m) throw new Error('no process_resident_memory_bytes in /metrics');
  return Number(m[1]) / 2 ** 20;
}
