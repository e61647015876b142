// kill -9 while recording, then restart: the recording is intact up to about a second before the
// kill (the flush interval), a torn last line is tolerated, and the restarted server lists it.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSensoriumRecording } from '../../data/readers/sensorium-recording.js';
import { startChildServer, type ChildServer } from './child-server.js';
import { sleep, TestClient } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sensorium-crash-'));
const children: ChildServer[] = [];
afterAll(() => {
  for (const c of children) c.proc.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('a crash while recording', () => {
  it('loses at most the last unflushed second, and the restarted server finds the recording', async () => {
    const first = await startChildServer(['--record', '--recordings-dir', dir]);
    children.push(first);
    const device = await TestClient.connect(first.wsUrl('/ws/device'));
    device.send({ type: 'hello', deviceId: 'crash-test', rateHz: 50, units: 'g' });
    await device.count('welcome', 1);

    // 10-sample frames (200 ms of data) every 100 ms for ~3 s; remember when each was sent.
    const sentAt: number[] = [];
    const t0 = 1_700_000_000_000;
    for (let seq = 0; seq < 30; seq++) {
      const t = Array.from({ length: 10 }, (_, i) => t0 + (seq * 10 + i) * 20);
      device.send({ type: 'samples', seq, t, x: t.map((_, i) => (seq * 10 + i) / 1000), y: t.map(() => 0), z: t.map(() => 1) });
      sentAt.push(performance.now());
      await sleep(100);
    }
    const killedAt = performance.now();
    first.proc.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    const files = readdirSync(dir).filter((f) => f.endsWith('.ndjson'));
    expect(files).toHaveLength(1);
    const text = readFileSync(join(dir, files[0]!), 'utf8');
    expect(text).not.toMatch(/"kind":"end"/); // it really died mid-recording
    const rec = parseSensoriumRecording(text, files[0]!);
    const recorded = rec.t.length / 10;
    // Every frame sent more than 1.5 s before the kill (1 s flush interval + slack for a busy machine) is there…
    const mustHave = sentAt.filter((at) => at < killedAt - 1500).length;
    expect(recorded).toBeGreaterThanOrEqual(mustHave);
    expect(mustHave).toBeGreaterThanOrEqual(10);
    // …complete and in order: sample k of the stream has x = k / 1000.
    expect(Number.isInteger(recorded)).toBe(true);
    for (let k = 0; k < rec.t.length; k++) {
      expect(rec.t[k]).toBe(t0 + k * 20);
      expect(rec.x[k]).toBeCloseTo(k / 1000, 6);
    }

    // A restarted server on the same folder lists it as a finished (inactive) recording and serves it.
    const second = await startChildServer(['--recordings-dir', dir]);
    children.push(second);
    const list = await fetch(`${second.url}/api/recordings`).then((r) => r.json());
    expect(list.recordings).toEqual([expect.objectContaining({ deviceId: 'crash-test', active: false, bytes: Buffer.byteLength(text) })]);
    const served = await fetch(`${second.url}/api/recordings/${list.recordings[0].id}`).then((r) => r.text());
    expect(served).toBe(text);
    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 120_000);
});
