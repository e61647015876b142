// Fuzzing a real server on loopback: random HTTP requests against the JSON schemas (never a
// 5xx), and random frames from several sockets (bytes, text, msgpack values, near-valid frames;
// on /ws/device, /ws/dashboard and /ws/text) while a neighbour streams: no fuzzed frame causes an
// 'internal' error, the neighbour gets every prediction, and the server stays up.
// SENSORIUM_FUZZ_RUNS scales the case counts.
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelledRecording, sleep, startTestServer, TestClient, toFrames, type TestServer } from './helpers.js';

const RUNS = Number(process.env.SENSORIUM_FUZZ_RUNS ?? 400);
const packr = new Packr({ useRecords: false });

let srv: TestServer;
beforeAll(async () => {
  // No rate limits, generous error replies: every fuzzed frame reaches the validators and is answered.
  srv = await startTestServer({ rateLimit: { errorsPerSec: 5000, framesPerSec: 1e6, samplesPerSec: 1e6, burstSamples: 1e6 }, reconnectGraceMs: 0 });
});
afterAll(() => srv?.close());

const json = fc.jsonValue({ maxDepth: 4 });
const weird = fc.oneof(fc.constantFrom(NaN, Infinity, -1, 0, 1e308, '', '../..', '%2e%2e', null), json);

describe('fuzzing the HTTP schemas', () => {
  it('never answers 5xx, whatever the body, path parameter or content type', async () => {
    const app = srv.server.app;
    const bodies = fc.oneof(
      json,
      fc.record(
        {
          deviceId: weird,
          payload: fc.oneof(
            fc.array(
              fc.record(
                {
                  name: fc.oneof(fc.constant('totalacceleration'), fc.string()),
                  time: fc.oneof(fc.string(), fc.double(), fc.constant('1700000000000000000')),
                  values: fc.oneof(json, fc.record({ x: weird, y: weird, z: weird })),
                },
                { requiredKeys: [] },
              ),
              { maxLength: 20 },
            ),
            weird,
          ),
          sessionId: weird,
          messageId: weird,
        },
        { requiredKeys: [] },
      ),
      fc.string(),
    );
    const ids = fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('..', '../etc', 'a:b', 'x'.repeat(300), '%00', 'sensor-logger:x'));
    const requests = fc.sample(
      fc.tuple(fc.constantFrom(0, 1, 2, 3, 4), bodies, ids, fc.constantFrom('application/json', 'text/plain', 'application/octet-stream', 'application/json; charset=latin1')),
      { numRuns: RUNS, seed: 42 },
    );
    let n = 0;
    for (const [route, body, id, type] of requests) {
      const payload = typeof body === 'string' && type !== 'application/json' ? body : JSON.stringify(body);
      const target = [
        { method: 'POST' as const, url: '/api/sensor-logger' },
        { method: 'POST' as const, url: `/api/recordings/${encodeURIComponent(id)}/start` },
        { method: 'POST' as const, url: `/api/recordings/${encodeURIComponent(id)}/stop` },
        { method: 'GET' as const, url: `/api/recordings/${encodeURIComponent(id)}` },
        { method: 'GET' as const, url: `/api/${encodeURIComponent(id)}?token=${encodeURIComponent(id)}` },
      ][route]!;
      const res = await app.inject({ ...target, payload: target.method === 'POST' ? payload : undefined, headers: { 'content-type': type } });
      n++;
      expect(res.statusCode, `${target.method} ${target.url} ${payload.slice(0, 200)} -> ${res.body.slice(0, 300)}`).toBeLessThan(500);
    }
    console.log(`HTTP fuzz: ${n} requests`);
  }, 60_000);
});

describe('fuzzing the sockets', () => {
  it('keeps serving a streaming neighbour while five sockets (device, dashboard, text) send random frames', async () => {
    const neighbour = await TestClient.connect(srv.wsUrl('/ws/device'));
    neighbour.send({ type: 'hello', deviceId: 'fuzz-neighbour', rateHz: 50, units: 'g' });
    await neighbour.count('welcome', 1);
    const frames = toFrames(labelledRecording([['walking', 20]]), 50, false);

    const nearValid = fc.record(
      {
        type: fc.oneof(fc.constant('samples'), fc.constant('hello'), fc.constant('subscribe'), fc.string()),
        seq: fc.oneof(fc.nat(), weird),
        t: fc.oneof(fc.array(fc.oneof(fc.double(), fc.integer()), { maxLength: 60 }), weird),
        x: fc.oneof(fc.array(fc.double(), { maxLength: 60 }), fc.float32Array({ maxLength: 60 }), weird),
        y: fc.oneof(fc.array(fc.double(), { maxLength: 60 }), weird),
        z: fc.oneof(fc.array(fc.double(), { maxLength: 60 }), weird),
        labels: fc.oneof(fc.array(fc.string(), { maxLength: 60 }), weird),
        deviceId: fc.oneof(fc.constant('fuzz-neighbour'), fc.string()),
        rateHz: weird,
        units: weird,
        devices: weird,
        token: weird,
      },
      { requiredKeys: ['type'] },
    );
    const frame = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((b) => ({ data: Buffer.from(b), binary: true })),
      fc.string({ maxLength: 300 }).map((s) => ({ data: s, binary: false })),
      nearValid.map((v) => ({ data: JSON.stringify(v), binary: false })),
      nearValid.map((v) => ({ data: Buffer.from(packr.pack(v)), binary: true })),
      fc.anything().map((v) => {
        try {
          return { data: Buffer.from(packr.pack(v)), binary: true };
        } catch {
          return { data: '{}', binary: false };
        }
      }),
    );
    const cases = fc.sample(frame, { numRuns: RUNS * 4, seed: 7 });

    const fuzzers = await Promise.all(
      [0, 1, 2, 3, 4].map(async (k) => {
        const c = await TestClient.connect(srv.wsUrl(k === 3 ? '/ws/dashboard' : k === 4 ? '/ws/text' : '/ws/device'), k % 2 ? 'msgpack' : 'json');
        if (k === 0 || k === 1) {
          c.send({ type: 'hello', deviceId: `fuzzer-${k}`, rateHz: 50, units: 'g' });
          await c.count('welcome', 1);
        }
        return c;
      }),
    );
    let sent = 0;
    for (let i = 0; i < cases.length; i++) {
      const { data, binary } = cases[i]!;
      const target = fuzzers[i % fuzzers.length]!;
      if (target.closeCode === undefined) {
        target.ws.send(data, { binary });
        sent++;
      }
      if (i % 8 === 0 && i / 8 < frames.length) neighbour.send(frames[i / 8]);
      if (i % 16 === 0) await sleep(1);
    }
    for (let k = Math.ceil(cases.length / 8); k < frames.length; k++) neighbour.send(frames[k]);
    const windows = Math.floor((frames.length * 50 - 128) / 64) + 1;
    await neighbour.count('prediction', windows);
    await sleep(300);
    expect(neighbour.of('error')).toEqual([]);

    const internal = fuzzers.flatMap((c) => c.of('error').filter((e) => e.code === 'internal'));
    expect(internal).toEqual([]);
    // Device and dashboard sockets answer most garbage with typed errors (limits lifted above);
    // /ws/text limits its error replies, so it only has to stay clean of 'internal'.
    const answered = fuzzers.slice(0, 4).reduce((s, c) => s + c.of('error').length, 0);
    expect(answered).toBeGreaterThan((sent * 4) / 5 / 4);
    const health = await fetch(`${srv.url}/api/health`).then((r) => r.json());
    expect(health.devicesConnected).toBeGreaterThanOrEqual(1);
    console.log(`socket fuzz: ${sent} frames sent, ${answered} typed errors back, codes ${JSON.stringify(Object.fromEntries(countCodes(fuzzers)))}`);
    await Promise.all([neighbour, ...fuzzers].map((c) => c.close()));
  }, 60_000);
});

function countCodes(clients: TestClient[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const c of clients) for (const e of c.of('error')) m.set(String(e.code), (m.get(String(e.code)) ?? 0) + 1);
  return m;
}
