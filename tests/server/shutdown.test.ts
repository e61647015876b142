// SIGTERM: the server stops accepting, finishes every device's pending windows and sends their
// predictions, closes sockets with 1001, flushes recordings and exits 0.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../protocol/close-codes.js';
import { WebSocket } from 'ws';
import { resampleSeries } from '../../data/signal/resampler.js';
import { startChildServer, type ChildServer } from './child-server.js';
import { labelledRecording, TestClient, toFrames } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sensorium-shutdown-'));
let child: ChildServer | undefined;
afterAll(() => {
  child?.proc.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function expectedWindows(t: number[]): number {
  const n = resampleSeries({ t, x: new Float32Array(t.length), y: new Float32Array(t.length), z: new Float32Array(t.length) }, 50).t.length;
  return n < 128 ? 0 : Math.floor((n - 128) / 64) + 1;
}

describe('graceful shutdown', () => {
  it('delivers pending predictions, closes with 1001, flushes the recording, exits 0', async () => {
    // Frames wait for a missing seq for up to a minute: at SIGTERM they are still pending.
    child = await startChildServer(['--record', '--recordings-dir', dir], { SENSORIUM_REORDER_WAIT_MS: '60000' });
    const device = await TestClient.connect(child.wsUrl('/ws/device'));
    device.send({ type: 'hello', deviceId: 'shutdown-test', rateHz: 50, units: 'g' });
    await device.count('welcome', 1);
    const rec = labelledRecording([['walking', 12]]);
    const frames = toFrames(rec, 10, false);
    const missing = 30; // 10 samples (200 ms) never sent: short enough to be bridged by the resampler
    for (const [i, f] of frames.entries()) if (i !== missing) device.send(f);
    const sentT = frames.filter((_, i) => i !== missing).flatMap((f) => f.t as number[]);
    const beforeGap = expectedWindows(rec.t.slice(0, missing * 10));
    await device.count('prediction', beforeGap); // the server has everything up to the gap…
    expect(device.of('prediction')).toHaveLength(beforeGap); // …and holds the rest for the missing frame

    const exitCode = child.exited;
    child.proc.kill('SIGTERM');
    const code = await device.closed;
    expect(code).toBe(CloseCode.goingAway);
    expect(device.of('prediction')).toHaveLength(expectedWindows(sentT));
    expect(device.of('error')).toEqual([]);
    expect(await exitCode).toBe(0);
    expect(child.stderr()).toMatch(/SIGTERM: finishing pending predictions/);
    expect(child.stderr()).toMatch(/stopped cleanly/);

    const [file] = readdirSync(dir);
    const lines = readFileSync(join(dir, file!), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ kind: 'end', reason: 'session ended', samples: sentT.length });

    // Nothing listens any more.
    const refused = await new Promise<boolean>((resolve) => {
      const ws = new WebSocket(child!.wsUrl('/ws/device'));
      ws.on('open', () => resolve(false));
      ws.on('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  }, 120_000);
});
