// Recording failures are never silent (issue 13, finding 4): a disk that fills up or fails
// (ENOSPC, EIO), or a recordings folder that cannot be created, is logged, counted in /metrics,
// and marks the recording failed in /api/recordings — while the device's stream goes on. A disk
// slower than the stream holds at most the recording buffer cap in memory: one flush at a time,
// and frames beyond the cap are dropped and counted.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { NODE_RECORDING_FILES, type RecordingFile, type RecordingFiles } from '../../server/recording/recording-files.js';
import { sleep, startTestServer, TestClient, type TestServer } from './helpers.js';

const dirs: string[] = [];
const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sensorium-recfail-'));
  dirs.push(d);
  return d;
}

/** Log lines of a server (pino JSON through Fastify). */
function logSink() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, logger: { level: 'info', stream } };
}

/** Real files whose appends fail with `code` once `failing` is set (a disk that fills up). */
function faultyFiles() {
  const state = { failing: false, code: 'ENOSPC' };
  const files: RecordingFiles = {
    ...NODE_RECORDING_FILES,
    async create(path: string): Promise<RecordingFile> {
      const real = await NODE_RECORDING_FILES.create(path);
      const check = () => {
        if (state.failing) throw Object.assign(new Error(`${state.code}: simulated disk failure, write`), { code: state.code });
      };
      return {
        append: async (text) => (check(), real.append(text)),
        sync: async () => (check(), real.sync()),
        close: () => real.close(),
      };
    },
  };
  return { state, files };
}

/** Real files whose appends wait for `open()` (a disk that stalls), counting what is handed to them. */
function stalledFiles() {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const seen = { appends: 0, inFlight: 0, maxInFlight: 0, bytes: [] as number[] };
  const files: RecordingFiles = {
    ...NODE_RECORDING_FILES,
    async create(path: string): Promise<RecordingFile> {
      const real = await NODE_RECORDING_FILES.create(path);
      return {
        async append(text) {
          seen.appends++;
          seen.inFlight++;
          seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
          seen.bytes.push(Buffer.byteLength(text));
          try {
            await gate;
            await real.append(text);
          } finally {
            seen.inFlight--;
          }
        },
        sync: () => real.sync(),
        close: () => real.close(),
      };
    },
  };
  return { files, seen, open: () => release() };
}

const json = (url: string) => fetch(url).then((r) => r.json());

/** `perFrame` samples at 50 Hz from sample `from` on. */
function frame(seq: number, perFrame: number) {
  const t = Array.from({ length: perFrame }, (_, i) => 1_000_000 + (seq * perFrame + i) * 20);
  return { type: 'samples', seq, t, x: t.map((_, i) => Math.sin(i / 7) * 0.3), y: t.map(() => 0.9), z: t.map(() => 0.1) };
}

async function recordingOf(srv: TestServer, deviceId: string) {
  const list = await json(`${srv.url}/api/recordings`);
  return list.recordings.find((r: { deviceId: string }) => r.deviceId === deviceId);
}

describe('recording failures', () => {
  it('a disk that fills up mid-recording: logged, counted, listed as failed; the stream goes on', async () => {
    const dir = tempDir();
    const { state, files } = faultyFiles();
    const log = logSink();
    const srv = await startTestServer({ recording: { all: true, dir, flushMs: 50 } }, { logger: log.logger, recordingFiles: files });
    servers.push(srv);
    const device = await TestClient.connect(srv.wsUrl('/ws/device'));
    device.send({ type: 'hello', deviceId: 'full-disk', rateHz: 50, units: 'g' });
    await device.count('welcome', 1);
    let seq = 0;
    for (; seq < 10; seq++) device.send(frame(seq, 50));
    await device.count('prediction', 3);
    await sleep(150); // flushed while the disk was fine
    expect(await recordingOf(srv, 'full-disk')).toMatchObject({ active: true });

    state.failing = true;
    for (; seq < 20; seq++) device.send(frame(seq, 50));
    const deadline = Date.now() + 10_000;
    let entry = await recordingOf(srv, 'full-disk');
    while (!entry?.failed && Date.now() < deadline) {
      await sleep(50);
      entry = await recordingOf(srv, 'full-disk');
    }
    expect(entry).toMatchObject({ active: false, failed: true, error: expect.stringMatching(/ENOSPC/) });

    const failure = log.lines.find((l) => l.msg === 'recording failed');
    expect(failure).toMatchObject({ level: 50, deviceId: 'full-disk', recording: entry.id, code: 'ENOSPC' });
    expect(String((failure!.err as { message?: string })?.message)).toMatch(/ENOSPC/);

    const metrics = await fetch(`${srv.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^sensorium_recording_failures_total\{code="ENOSPC"\} 1$/m);
    expect(metrics).toMatch(/^sensorium_recordings_active 0$/m);

    // The device is unharmed: its windows are still classified.
    const before = device.of('prediction').length;
    for (; seq < 30; seq++) device.send(frame(seq, 50));
    await device.count('prediction', before + 3);
    expect(device.of('error')).toEqual([]);
    await device.close();
  });

  it('a recordings folder that cannot be created (a file is in the way): the device is served, the recording listed as failed', async () => {
    const dir = tempDir();
    const blocker = join(dir, 'not-a-folder');
    writeFileSync(blocker, 'a file, not a folder');
    const log = logSink();
    const srv = await startTestServer({ recording: { all: true, dir: join(blocker, 'recordings'), flushMs: 50 } }, { logger: log.logger });
    servers.push(srv);
    const device = await TestClient.connect(srv.wsUrl('/ws/device'));
    device.send({ type: 'hello', deviceId: 'no-folder', rateHz: 50, units: 'g' });
    await device.count('welcome', 1);
    for (let seq = 0; seq < 8; seq++) device.send(frame(seq, 50));
    await device.count('prediction', 2);

    let entry = await recordingOf(srv, 'no-folder');
    for (let i = 0; i < 100 && !entry?.failed; i++) {
      await sleep(50);
      entry = await recordingOf(srv, 'no-folder');
    }
    expect(entry).toMatchObject({ active: false, failed: true, bytes: 0, error: expect.stringMatching(/ENOTDIR|EEXIST/) });
    expect(log.lines.find((l) => l.msg === 'recording failed')).toMatchObject({ level: 50, deviceId: 'no-folder' });
    const metrics = await fetch(`${srv.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^sensorium_recording_failures_total\{code="(ENOTDIR|EEXIST)"\} 1$/m);
    await device.close();
  });

  it('a stalled disk: one flush at a time, and no more than the buffer cap is held', async () => {
    const dir = tempDir();
    const disk = stalledFiles();
    const cap = 64 * 1024;
    const srv = await startTestServer({ recording: { all: true, dir, flushMs: 20, maxBufferBytes: cap } }, { recordingFiles: disk.files });
    servers.push(srv);
    const device = await TestClient.connect(srv.wsUrl('/ws/device'));
    device.send({ type: 'hello', deviceId: 'slow-disk', rateHz: 50, units: 'g' });
    await device.count('welcome', 1);
    // 80 frames of 100 samples (~4.5 kB each, ~360 kB in all) over ~1.6 s: dozens of flush ticks
    // while the disk holds the header write.
    const frames = 80;
    for (let seq = 0; seq < frames; seq++) {
      device.send(frame(seq, 100));
      await sleep(20);
    }
    await device.count('prediction', 10);
    await sleep(200);
    const during = await recordingOf(srv, 'slow-disk');
    expect(during).toMatchObject({ active: true });
    expect(during.droppedFrames).toBeGreaterThan(0);
    expect(during.frames + during.droppedFrames).toBe(frames);
    expect(disk.seen.maxInFlight).toBe(1);

    disk.open();
    await fetch(`${srv.url}/api/recordings/slow-disk/stop`, { method: 'POST' });
    expect(disk.seen.maxInFlight).toBe(1);
    // Everything that waited behind the stalled header write fits in the cap (plus the line that crossed it).
    const [, ...afterHeader] = disk.seen.bytes;
    const lastFrameLine = 5000;
    const buffered = afterHeader.reduce((s, b) => s + b, 0);
    expect(buffered).toBeLessThanOrEqual(cap + lastFrameLine + 1000); // + the end line
    await device.close();
  });
});
