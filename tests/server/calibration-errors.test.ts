// Bad calibration input on a real server: personalise before start, too little of a class, one
// class only, labels the model lacks, an unknown action. Each gets a typed error in its
// calibration-status; the device keeps the shared model, nothing is written, and the shared
// model's head is unchanged.
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headFingerprint } from '../../models/har/personal-head.js';
import { nextStatus, stream } from './calibration-helpers.js';
import { startTestServer, TestClient, type TestServer } from './helpers.js';

let server: TestServer;
let dir = '';
let id = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sensorium-personal-bad-'));
  server = await startTestServer({ rateLimit: { samplesPerSec: 100_000, burstSamples: 100_000, framesPerSec: 10_000 }, inferenceWorker: 'off', personal: { dir } });
});
afterAll(async () => {
  await server?.close();
});

/** A fresh device that starts calibration, streams `segments`, personalises; returns the final status. */
async function calibrate(segments: [string, number][], opts: { start?: boolean } = {}) {
  const c = await TestClient.connect(server.wsUrl('/ws/device'));
  c.send({ type: 'hello', deviceId: `bad-${id++}`, rateHz: 50, units: 'g', source: 'replay', hasLabels: true });
  await c.count('welcome', 1);
  let at = { seq: 0, t: 2_000_000 };
  if (opts.start !== false) {
    c.send({ type: 'calibration', action: 'start' });
    await nextStatus(c, 0, (s) => s.state === 'collecting');
  }
  at = await stream(c, segments, at);
  // Every window of the stream has been classified (and collected) before asking.
  const windows = Math.floor((segments.reduce((a, [, s]) => a + s, 0) * 50 - 128) / 64) + 1;
  await c.count('prediction', windows);
  const seen = c.of('calibration-status').length;
  c.send({ type: 'calibration', action: 'personalise' });
  const status = await nextStatus(c, seen, (s) => s.error !== undefined || s.personal, 'personalise answer');
  return { c, status, at };
}

describe('bad calibration input', () => {
  const before = () => headFingerprint(server.server.parts.personal.shared!);

  it.each([
    [
      'personalise without start',
      [
        ['walking', 8],
        ['sitting', 8],
      ],
      { start: false },
      'not-collecting',
      /start calibration first/,
    ],
    ['one activity only', [['walking', 12]], {}, 'one-class', /at least two different activities/],
    [
      'under 5 s of a class',
      [
        ['walking', 10],
        ['sitting', 3.5],
      ],
      {},
      'too-little-data',
      /'sitting' \(1 window\)/,
    ],
    [
      'a label the model lacks (jogging, 6-class model)',
      [
        ['walking', 8],
        ['jogging', 8],
      ],
      {},
      'unknown-label',
      /no class 'jogging'/,
    ],
    [
      'a label no model has',
      [
        ['walking', 8],
        ['sitting', 8],
        ['cycling', 8],
      ],
      {},
      'unknown-label',
      /no class 'cycling'/,
    ],
  ] as const)(
    '%s',
    async (_name, segments, opts, code, message) => {
      const fingerprint = before();
      const { c, status, at } = await calibrate(segments as unknown as [string, number][], opts);
      expect(status.error?.code).toBe(code);
      expect(status.error?.message).toMatch(message);
      expect(status.personal).toBe(false);
      // Still the shared model, nothing stored, the shared head untouched.
      const n = c.of('prediction').length;
      await stream(c, [['walking', 4]], at);
      await c.count('prediction', n + 2);
      expect(c.of('prediction').every((p) => p.source === 'shared')).toBe(true);
      expect(await readdir(dir)).toEqual([]);
      expect(before()).toBe(fingerprint);
      await c.close();
    },
    30_000,
  );

  it('an unknown action is an invalid message; the device goes on', async () => {
    const c = await TestClient.connect(server.wsUrl('/ws/device'));
    c.send({ type: 'calibration', action: 'start' });
    await c.until((ms) => ms.some((m) => m.type === 'error' && m.code === 'not-hello'), 5000, 'not-hello');
    c.send({ type: 'hello', deviceId: `bad-${id++}`, rateHz: 50, units: 'g' });
    await c.count('welcome', 1);
    c.send({ type: 'calibration', action: 'explode' });
    await c.until((ms) => ms.some((m) => m.type === 'error' && m.code === 'invalid' && /start, personalise, reset, cancel/.test(String(m.message))), 5000, 'invalid');
    await stream(c, [['walking', 4]], { seq: 0, t: 3_000_000 });
    await c.count('prediction', 2);
    await c.close();
  });
});
