// Recordings out: a recording made live (a labelled device streaming to a real server on
// loopback, recording started and stopped over HTTP) downloads as the project's csv, which
// `npm run eval -- har --format csv` scores; DELETE refuses a recording still being written (409)
// and removes a finished one.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../data/readers/csv.js';
import { readRecordings } from '../../data/readers/index.js';
import { STANDARD_GRAVITY } from '../../protocol/sensor-messages.js';
import { labelledRecording, sleep, startTestServer, TestClient, toFrames, type TestServer } from '../server/helpers.js';

const run = promisify(execFile);
let dir: string;
let csvDir: string;
let srv: TestServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sensorium-export-'));
  csvDir = mkdtempSync(join(tmpdir(), 'sensorium-export-csv-'));
  srv = await startTestServer({ recording: { all: false, dir, flushMs: 50 } });
}, 60_000);
afterAll(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(csvDir, { recursive: true, force: true });
});

const api = (path: string, method = 'GET') => fetch(`${srv.url}${path}`, { method }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

describe('recordings in csv, and deleting them', () => {
  it('exports a live m/s² recording as csv in g that eval scores', async () => {
    const rec = labelledRecording([
      ['walking', 8],
      ['sitting', 8],
    ]);
    const frames = toFrames({ ...rec, x: rec.x.map((v) => v * STANDARD_GRAVITY), y: rec.y.map((v) => v * STANDARD_GRAVITY), z: rec.z.map((v) => v * STANDARD_GRAVITY) }, 25);
    const device = await TestClient.connect(srv.wsUrl('/ws/device'));
    device.send({ type: 'hello', deviceId: 'export-phone', rateHz: 50, units: 'm/s2', hasLabels: true, source: 'phone' });
    await device.count('welcome', 1);
    const started = await api('/api/recordings/export-phone/start', 'POST');
    expect(started.status).toBe(200);
    const id = (started.body.recording as { id: string }).id;
    for (const f of frames) device.send(f);
    await device.count('prediction', 5);
    await sleep(200);

    const refused = await api(`/api/recordings/${id}`, 'DELETE');
    expect(refused).toMatchObject({ status: 409, body: { error: 'recording-active', message: expect.stringMatching(/stop/) } });
    expect((await api('/api/recordings/export-phone/stop', 'POST')).status).toBe(200);
    await device.close();

    const res = await fetch(`${srv.url}/api/recordings/${id}?format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toContain(`${id}.csv`);
    const text = await res.text();
    expect(text.split('\n', 1)[0]).toBe('timestamp_ms,x,y,z,label');
    // The same samples as the NDJSON read by the recording reader, in g.
    const fromCsv = parseCsv(text, `${id}.csv`);
    const [fromNdjson] = await readRecordings('recording', join(dir, `${id}.ndjson`));
    expect(fromCsv.t.length).toBe(rec.t.length);
    expect(Array.from(fromCsv.t)).toEqual(Array.from(fromNdjson!.t));
    for (let i = 0; i < rec.t.length; i += 97) {
      expect(fromCsv.x[i]).toBeCloseTo(rec.x[i]!, 5);
      expect(fromCsv.y[i]).toBeCloseTo(rec.y[i]!, 5);
      expect(fromCsv.z[i]).toBeCloseTo(rec.z[i]!, 5);
    }
    expect(fromCsv.labels).toEqual(rec.labels);
    expect(fromCsv.warnings).toBeUndefined();

    // What a user does with the download: npm run eval -- har --format csv --data <dir>.
    writeFileSync(join(csvDir, `${id}.csv`), text);
    const { stdout, stderr } = await run('npx', ['tsx', 'models/cli/eval.ts', 'har', '--format', 'csv', '--data', csvDir, '--backend', 'wasm'], { cwd: process.cwd(), timeout: 120_000 });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { n: number; accuracy: number; perClass: Record<string, { support: number }> };
    expect(stderr).toMatch(/1 recording\(s\), \d+ windows/);
    // 8 s of each class at 50 Hz: windows of 128 samples, hop 64, wholly inside one run.
    expect(result.n).toBeGreaterThanOrEqual(8);
    expect(result.perClass.walking!.support).toBeGreaterThan(0);
    expect(result.perClass.sitting!.support).toBeGreaterThan(0);
    expect(result.accuracy).toBeGreaterThanOrEqual(0);
    console.log(`eval of the exported csv: ${stdout.trim().split('\n').at(-1)}`);
  }, 180_000);

  it('deletes a finished recording; unknown and malformed ids get the error shape', async () => {
    const device = await TestClient.connect(srv.wsUrl('/ws/device'));
    device.send({ type: 'hello', deviceId: 'short-lived', rateHz: 50, units: 'g' });
    await device.count('welcome', 1);
    const id = ((await api('/api/recordings/short-lived/start', 'POST')).body.recording as { id: string }).id;
    device.send({ type: 'samples', seq: 0, t: [1, 21, 41], x: [0, 0, 0], y: [0, 0, 0], z: [1, 1, 1] });
    await api('/api/recordings/short-lived/stop', 'POST');
    await device.close();
    expect(await api(`/api/recordings/${id}`, 'DELETE')).toEqual({ status: 200, body: { deleted: id } });
    expect(((await api('/api/recordings')).body.recordings as { id: string }[]).map((r) => r.id)).not.toContain(id);
    expect(await api(`/api/recordings/${id}`, 'DELETE')).toMatchObject({ status: 404, body: { error: 'unknown-recording' } });
    expect(await api(`/api/recordings/${id}?format=csv`)).toMatchObject({ status: 404, body: { error: 'unknown-recording' } });
    expect(await api('/api/recordings/..%2Fetc', 'DELETE')).toMatchObject({ status: 400, body: { error: 'invalid-request' } });
  });
});

describe('importing other apps’ files', () => {
  it('imports a Sensor Logger export as a recording that lists, downloads as csv and reads back in g', async () => {
    const rows = Array.from({ length: 500 }, (_, i) => `${1_698_310_000_000_000_000 + i * 20_000_000},${i / 50},${STANDARD_GRAVITY},0.1,${0.5 * Math.sin(i / 4)}`);
    const body = ['time,seconds_elapsed,z,y,x', ...rows].join('\n');
    const res = await fetch(`${srv.url}/api/recordings/import?format=sensor-logger&name=TotalAcceleration.csv`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body });
    expect(res.status).toBe(200);
    const { recording, warnings } = (await res.json()) as { recording: { id: string; samples: number; rateHz: number }; warnings: string[] };
    expect(recording).toMatchObject({ samples: 500, active: false, deviceId: 'import:TotalAcceleration' });
    expect(recording.rateHz).toBeCloseTo(50, 3);
    expect(warnings).toEqual([]);
    expect(((await api('/api/recordings')).body.recordings as { id: string }[]).map((r) => r.id)).toContain(recording.id);
    const [read] = await readRecordings('recording', join(dir, `${recording.id}.ndjson`));
    expect(read!.t.length).toBe(500);
    expect(read!.z[0]).toBeCloseTo(1, 5);
    const csv = parseCsv(await (await fetch(`${srv.url}/api/recordings/${recording.id}?format=csv`)).text(), 'x.csv');
    expect(csv.x[7]).toBeCloseTo((0.5 * Math.sin(7 / 4)) / STANDARD_GRAVITY, 5);
  });

  it('refuses an unreadable file, a wrong format and units that do not apply, in the error shape', async () => {
    const post = (query: string, body: string, type = 'text/csv') =>
      fetch(`${srv.url}/api/recordings/import?${query}`, { method: 'POST', headers: { 'content-type': type }, body }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as Record<string, unknown>,
      }));
    expect(await post('format=phyphox&name=a.csv', 'time,z,y,x\n1,2,3,4\n')).toMatchObject({
      status: 400,
      body: { error: 'unreadable-file', message: expect.stringMatching(/a\.csv.*Time \(s\)|a\.csv.*Acceleration x/) },
    });
    expect(await post('format=xml', 'x')).toMatchObject({ status: 400, body: { error: 'invalid-request' } });
    expect(await post('format=phyphox&units=g', 'x')).toMatchObject({ status: 400, body: { error: 'invalid-request', message: expect.stringMatching(/units/) } });
    expect(await post('format=csv', '{}', 'application/octet-stream')).toMatchObject({ status: 415, body: { error: 'unsupported-media-type' } });
  });
});
