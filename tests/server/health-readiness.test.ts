// /api/health is a readiness check (issue 13, finding 8): 503 with the problems named when the
// server cannot do its job — the HAR model failed to load, the inference worker is dead, the
// recording disk is failing, or it is shutting down — and 200 otherwise (an untrained model is a
// warning, not a failure). An inference worker that dies is restarted with exponential backoff,
// forever, and its state shows in /api/health and /metrics.
import { cpSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NODE_RECORDING_FILES, type RecordingFile, type RecordingFiles } from '../../server/recording/recording-files.js';
import { WorkerClassifier } from '../../server/inference/worker-classifier.js';
import type { WindowClassifier } from '../../server/inference/har-inference.js';
import { ACTIVITIES } from '../../protocol/sensor-messages.js';
import { sleep, startTestServer, TestClient, type TestServer } from './helpers.js';

const dirs: string[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sensorium-ready-'));
  dirs.push(d);
  return d;
}

async function start(...args: Parameters<typeof startTestServer>): Promise<TestServer> {
  const srv = await startTestServer(...args);
  cleanups.push(() => srv.close());
  return srv;
}

const health = (srv: TestServer) => fetch(`${srv.url}/api/health`).then(async (r) => ({ status: r.status, body: await r.json() }));

async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let v = await read();
  while (!ok(v)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await sleep(50);
    v = await read();
  }
  return v;
}

function frame(seq: number, perFrame = 50) {
  const t = Array.from({ length: perFrame }, (_, i) => 1_000_000 + (seq * perFrame + i) * 20);
  return { type: 'samples', seq, t, x: t.map((_, i) => Math.sin(i / 5) * 0.3), y: t.map(() => 0.9), z: t.map(() => 0.1) };
}

describe('readiness', () => {
  it('200 ok when serving, even with an untrained model (a warning)', async () => {
    const srv = await start();
    const res = await health(srv);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', problems: [] });
    expect(res.body.warnings.join(' ')).toMatch(/untrained/);
    expect(await fetch(`${srv.url}/metrics`).then((r) => r.text())).toMatch(/^sensorium_ready 1$/m);
  });

  it('503 when the HAR model failed to load', async () => {
    const srv = await start({ harModel: 'trained', harModelDir: join(tempDir(), 'nowhere') }, { warn: () => {} });
    const res = await health(srv);
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('degraded');
    expect(res.body.problems).toEqual([expect.stringMatching(/HAR model.*no trained HAR model/)]);
  });

  it('503 while the recording disk fails, 200 again once a probe write succeeds', async () => {
    const dir = tempDir();
    const disk = { failing: false };
    const files: RecordingFiles = {
      ...NODE_RECORDING_FILES,
      async create(path): Promise<RecordingFile> {
        if (disk.failing) throw Object.assign(new Error('EIO: i/o error, open'), { code: 'EIO' });
        const real = await NODE_RECORDING_FILES.create(path);
        const check = () => {
          if (disk.failing) throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
        };
        return { append: async (t) => (check(), real.append(t)), sync: async () => (check(), real.sync()), close: () => real.close() };
      },
    };
    const srv = await start({ recording: { all: true, dir, flushMs: 50 } }, { recordingFiles: files });
    const device = await TestClient.connect(srv.wsUrl('/ws/device'));
    cleanups.push(() => device.close());
    device.send({ type: 'hello', deviceId: 'eio-phone', rateHz: 50, units: 'g' });
    await device.count('welcome', 1);
    device.send(frame(0));
    await sleep(150);
    expect((await health(srv)).status).toBe(200);
    disk.failing = true;
    device.send(frame(1));
    const failed = await waitFor(
      () => health(srv),
      (h) => h.status === 503,
      10_000,
      '503',
    );
    expect(failed.body.problems).toEqual([expect.stringMatching(/recordings cannot be written.*EIO/)]);
    disk.failing = false;
    // The failed recording is given up; a probe write (every 10 flush intervals here) notices the disk is back.
    const back = await waitFor(
      () => health(srv),
      (h) => h.status === 200,
      10_000,
      '200 again',
    );
    expect(back.body.problems).toEqual([]);
  });

  it('503 while shutting down', async () => {
    // A classifier that takes 1.5 s per batch: shutdown waits for the device's last window.
    const slow: WindowClassifier = {
      classes: ACTIVITIES,
      windowSize: 128,
      hop: 64,
      rateHz: 50,
      concurrent: true,
      predict: async (_w, n) => {
        await sleep(1500);
        return new Float32Array(n * ACTIVITIES.length).fill(1 / ACTIVITIES.length);
      },
      dispose: () => {},
    };
    const srv = await startTestServer({}, { classifier: slow });
    const device = await TestClient.connect(srv.wsUrl('/ws/device'));
    device.send({ type: 'hello', deviceId: 'last-window', rateHz: 50, units: 'g' });
    await device.count('welcome', 1);
    for (let s = 0; s < 3; s++) device.send(frame(s));
    await sleep(300); // the window is in the slow classifier
    const closing = srv.close();
    await sleep(100);
    const during = await fetch(`${srv.url}/api/health`);
    expect(during.status).toBe(503);
    expect(await during.json()).toEqual({ error: 'shutting-down', message: expect.stringMatching(/shutting down/) });
    await closing;
    expect(device.of('prediction').length).toBeGreaterThan(0);
  });

  it('restarts a dead inference worker with backoff, forever; 503 and metrics while it is down', async () => {
    // The worker loads a trained model from a folder the test can take away: restarts then fail.
    const modelDir = join(tempDir(), 'har');
    cpSync('models/trained/har', modelDir, { recursive: true });
    const events: { at: number; message: string }[] = [];
    const started = await WorkerClassifier.start({ backend: 'wasm', harModel: 'trained', harModelDir: modelDir }, (m) => events.push({ at: Date.now(), message: m }), {
      restartBackoff: { initialMs: 100, maxMs: 800 },
    });
    const worker = started.classifier;
    cleanups.push(() => worker.dispose());
    const srv = await start({}, { classifier: worker, modelStatus: started.status });
    expect((await health(srv)).body).toMatchObject({ status: 'ok', inference: { worker: { state: 'running', restarts: 0 } } });

    renameSync(modelDir, modelDir + '.away');
    await (worker as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate(); // a crash
    const down = await waitFor(
      () => health(srv),
      (h) => h.status === 503 && h.body.inference?.worker?.failedStarts >= 3,
      60_000,
      'three failed restarts',
    );
    expect(down.body.status).toBe('degraded');
    expect(down.body.problems).toEqual([expect.stringMatching(/inference worker/)]);
    expect(down.body.inference.worker).toMatchObject({ state: 'restarting', lastError: expect.stringMatching(/no trained HAR model/) });
    const metrics = await fetch(`${srv.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^sensorium_inference_worker_up 0$/m);
    expect(metrics).toMatch(/^sensorium_ready 0$/m);
    expect(Number(/^sensorium_inference_worker_failed_starts_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(3);
    // Backoff: the waits between failed attempts grow (100, 200, 400, 800 ms, then stay at 800).
    const delays = events
      .map((e) => /could not start.*next attempt in (\d+) ms/.exec(e.message)?.[1])
      .filter((d) => d !== undefined)
      .map(Number);
    expect(delays.slice(0, 3)).toEqual([100, 200, 400]);
    expect(Math.max(...delays)).toBeLessThanOrEqual(800);
    expect(down.body.inference.worker.nextAttemptInMs ?? 0).toBeLessThanOrEqual(800);

    // Devices in the meantime: refused windows, not a hung server.
    renameSync(modelDir + '.away', modelDir);
    const up = await waitFor(
      () => health(srv),
      (h) => h.status === 200,
      30_000,
      'the worker back',
    );
    expect(up.body.inference.worker).toMatchObject({ state: 'running', restarts: 1 });
    expect(await fetch(`${srv.url}/metrics`).then((r) => r.text())).toMatch(/^sensorium_inference_worker_up 1$/m);
    const device = await TestClient.connect(srv.wsUrl('/ws/device'));
    device.send({ type: 'hello', deviceId: 'after-restart', rateHz: 50, units: 'g' });
    await device.count('welcome', 1);
    for (let s = 0; s < 4; s++) device.send(frame(s));
    await device.count('prediction', 1);
    await device.close();
  }, 120_000);
});
