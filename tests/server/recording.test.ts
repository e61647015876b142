// Recording device streams to append-only NDJSON files, the HTTP routes of the recording page,
// and reading recordings back (the replay simulator's `--format recording`).
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecordings } from '../../data/readers/index.js';
import { parseSensoriumRecording } from '../../data/readers/sensorium-recording.js';
import { STANDARD_GRAVITY } from '../../protocol/sensor-messages.js';
import { labelledRecording, sleep, startTestServer, TestClient, toFrames, type TestServer } from './helpers.js';

let dir: string;
let srv: TestServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sensorium-rec-'));
  srv = await startTestServer({ recording: { all: true, dir, flushMs: 100 }, pipeline: { reorderWaitMs: 50 } });
});
afterAll(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

const api = (path: string, method = 'GET') => fetch(`${srv.url}${path}`, { method }).then(async (r) => ({ status: r.status, body: await r.json() }));

describe('recording', () => {
  it('records every accepted frame of a device, in its units, and reads back as the same samples', async () => {
    const rec = labelledRecording([
      ['walking', 4],
      ['sitting', 3],
    ]);
    // Sent in m/s2 (the file keeps the device's units; the reader converts to g), out of order.
    const frames = toFrames({ ...rec, x: rec.x.map((v) => v * STANDARD_GRAVITY), y: rec.y.map((v) => v * STANDARD_GRAVITY), z: rec.z.map((v) => v * STANDARD_GRAVITY) }, 25);
    [frames[3], frames[4]] = [frames[4]!, frames[3]!];
    const c = await TestClient.connect(srv.wsUrl('/ws/device'));
    c.send({ type: 'hello', deviceId: 'rec:phone-1', rateHz: 50, units: 'm/s2', hasLabels: true, source: 'phone' });
    await c.count('welcome', 1);
    c.send({ type: 'samples', seq: 0, t: [1, 2], x: [NaN, 0], y: [0, 0], z: [0, 0] }); // rejected: not recorded
    for (const f of frames.slice(1)) c.send(f);
    await sleep(200); // longer than the reorder wait: seq 0 is given up
    c.send(frames[0]); // late: dropped by reordering, not recorded
    await c.count('prediction', 4);
    await c.close();
    await sleep(300);

    const list = await api('/api/recordings');
    expect(list.status).toBe(200);
    expect(list.body.recordAll).toBe(true);
    const entry = list.body.recordings.find((r: { deviceId: string }) => r.deviceId === 'rec:phone-1');
    expect(entry).toMatchObject({ active: false, units: 'm/s2', rateHz: 50, source: 'phone' });
    expect(entry.id).toMatch(/^rec_phone-1_\d{4}-\d\d-\d\dT/);

    const text = readFileSync(join(dir, `${entry.id}.ndjson`), 'utf8');
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ kind: 'header', format: 'sensorium-recording', deviceId: 'rec:phone-1', units: 'm/s2', hasLabels: true });
    expect(lines.at(-1)).toMatchObject({ kind: 'end', frames: frames.length - 1, reason: 'session ended' });

    const [read] = await readRecordings('recording', join(dir, `${entry.id}.ndjson`));
    // In seq order (the swapped frames were put back), without frame 0 (it came too late).
    const expected = rec.t.slice(25);
    expect(Array.from(read!.t)).toEqual(expected);
    const from = 25; // the first recorded sample is the first of frame 1
    for (let i = 0; i < expected.length; i++) {
      expect(read!.x[i]).toBeCloseTo(rec.x[from + i]!, 5);
      expect(read!.z[i]).toBeCloseTo(rec.z[from + i]!, 5);
    }
    expect(read!.labels.slice(0, 3)).toEqual(['walking', 'walking', 'walking']);
    expect(read!.labels.at(-1)).toBe('sitting');
    expect(read!.rateHz).toBe(50);

    const download = await fetch(`${srv.url}/api/recordings/${entry.id}`);
    expect(download.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    expect(await download.text()).toBe(text);
  });

  it('starts and stops recording a connected device over HTTP', async () => {
    const off = await startTestServer({ recording: { all: false, dir, flushMs: 100 } });
    try {
      const c = await TestClient.connect(off.wsUrl('/ws/device'));
      c.send({ type: 'hello', deviceId: 'toggled', rateHz: 50, units: 'g' });
      await c.count('welcome', 1);
      const post = (path: string) => fetch(`${off.url}${path}`, { method: 'POST' }).then(async (r) => ({ status: r.status, body: await r.json() }));
      expect((await post('/api/recordings/nobody/start')).status).toBe(404);
      expect((await post('/api/recordings/toggled/stop')).body.error).toBe('not-recording');
      expect((await post('/api/recordings/bad%20id!/start')).status).toBe(400);
      const started = await post('/api/recordings/toggled/start');
      expect(started.body).toMatchObject({ started: true, recording: { deviceId: 'toggled', active: true, frames: 0 } });
      expect((await post('/api/recordings/toggled/start')).body.started).toBe(false); // idempotent
      const rec = labelledRecording([['walking', 3]]);
      for (const f of toFrames(rec, 30, false)) c.send(f);
      await c.count('prediction', 1);
      const stopped = await post('/api/recordings/toggled/stop');
      expect(stopped.body.recording).toMatchObject({ active: false, frames: 5, samples: 150 });
      const [read] = await readRecordings('recording', join(dir, `${stopped.body.recording.id}.ndjson`));
      expect(read!.t.length).toBe(150);
      await c.close();
    } finally {
      await off.close();
    }
  });
});

describe('recording reader', () => {
  const header = { kind: 'header', format: 'sensorium-recording', version: 1, id: 'r', deviceId: 'd', rateHz: 50, units: 'g', startedAt: '2026-01-01T00:00:00.000Z' };
  const frame = (seq: number, t0: number) => ({ kind: 'samples', seq, at: 0, t: [t0, t0 + 20], x: [0.5, 0.25], y: [0, 0], z: [1, 1] });

  it('skips a torn last line with a warning', () => {
    const text = [header, frame(0, 0), frame(1, 40)].map((l) => JSON.stringify(l)).join('\n') + '\n{"kind":"samples","seq":2,"t":[80,1';
    const r = parseSensoriumRecording(text, 'torn.ndjson');
    expect(Array.from(r.t)).toEqual([0, 20, 40, 60]);
    expect(r.warnings![0]).toMatch(/last line is incomplete/);
  });

  it('rejects broken lines in the middle and files that are not recordings, naming the line', () => {
    const text = [JSON.stringify(header), '{broken', JSON.stringify(frame(1, 40))].join('\n');
    expect(() => parseSensoriumRecording(text, 'bad.ndjson')).toThrow(/bad\.ndjson:2: not a JSON line/);
    expect(() => parseSensoriumRecording('{"kind":"samples"}\n', 'x.ndjson')).toThrow(/no header line/);
    expect(() => parseSensoriumRecording(JSON.stringify(header) + '\n' + JSON.stringify({ ...frame(0, 0), x: [1] }) + '\n', 'y.ndjson')).toThrow(/equal length/);
  });

  it('reads a folder of recordings, one Recording per file', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sensorium-recs-'));
    try {
      writeFileSync(join(folder, 'a.ndjson'), [header, frame(0, 0)].map((l) => JSON.stringify(l)).join('\n') + '\n');
      writeFileSync(join(folder, 'b.ndjson'), JSON.stringify({ ...header, units: 'm/s2' }) + '\n');
      appendFileSync(join(folder, 'b.ndjson'), JSON.stringify({ ...frame(0, 0), x: [STANDARD_GRAVITY, 0] }) + '\n');
      writeFileSync(join(folder, 'notes.txt'), 'ignored');
      const recs = await readRecordings('recording', folder);
      expect(recs.map((r) => r.id)).toEqual(['a', 'b']);
      expect(recs[1]!.x[0]).toBeCloseTo(1, 6);
      await expect(readRecordings('recording', folder, { units: 'g' })).rejects.toThrow(/--units does not apply/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
