// Issue 13, finding 7: the pipeline's own RxJS operators subscribed with plain observers, so an
// exception inside one was rethrown on a timer (RxJS reports unhandled errors that way) and ended
// the process. Now a failing stage closes that device only: it gets a typed `internal` error,
// its session ends (its id is free again), /metrics counts it, and neighbours stream on. And a
// session whose end fails (its recording cannot be closed) raises no unhandled rejection.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CloseCode } from '../../protocol/close-codes.js';
import { Resampler } from '../../data/signal/resampler.js';
import { RecordingWriter } from '../../server/recording/recording-writer.js';
import { labelledRecording, sleep, startTestServer, TestClient, toFrames, type TestServer } from './helpers.js';

const processFailures: unknown[] = [];
const onFailure = (err: unknown) => processFailures.push(err);

let srv: TestServer;
beforeAll(async () => {
  process.on('uncaughtException', onFailure);
  process.on('unhandledRejection', onFailure);
  srv = await startTestServer({ recording: { dir: mkdtempSync(join(tmpdir(), 'sensorium-pipeline-failure-')) } });
});
afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  await srv?.close();
  process.off('uncaughtException', onFailure);
  process.off('unhandledRejection', onFailure);
});

async function device(deviceId: string): Promise<TestClient> {
  const c = await TestClient.connect(srv.wsUrl('/ws/device'));
  c.send({ type: 'hello', deviceId, rateHz: 50, units: 'g' });
  await c.count('welcome', 1);
  return c;
}

async function internalErrors(): Promise<number> {
  const text = await fetch(`${srv.url}/metrics`).then((r) => r.text());
  const line = text.split('\n').find((l) => l.startsWith('sensorium_errors_total{code="internal"}'));
  return line ? Number(line.split(' ').pop()) : 0;
}

const frames = toFrames(labelledRecording([['walking', 20]]), 50, false); // 1,000 samples: 14 windows

describe('a failing pipeline stage', () => {
  it('ends only its own device, with an internal error, counted; the id is free again', async () => {
    const neighbour = await device('neighbour');
    const victim = await device('victim');
    const internalBefore = await internalErrors();
    for (const f of frames.slice(0, 4)) neighbour.send(f);
    await sleep(100);

    // A bug in one stage: the resampler throws for the next frame it gets (the victim's).
    vi.spyOn(Resampler.prototype, 'push').mockImplementationOnce(() => {
      throw new Error('injected resampler bug');
    });
    victim.send(frames[0]!);
    await victim.until((ms) => ms.some((m) => m.type === 'error'), 5000, 'an error');
    expect(victim.of('error')[0]).toMatchObject({ code: 'internal' });
    expect(String(victim.of('error')[0]!.message)).toMatch(/injected resampler bug/);
    expect(await victim.closed).toBe(CloseCode.internalError);

    // The neighbour streams on.
    for (const f of frames.slice(4)) neighbour.send(f);
    await neighbour.count('prediction', 14);
    expect(neighbour.of('error')).toEqual([]);

    expect(await internalErrors()).toBe(internalBefore + 1);
    await sleep(50);
    const again = await device('victim'); // not `id-in-use`: the session ended
    again.send(frames[0]!);
    await sleep(100);
    expect(again.of('error')).toEqual([]);
    await again.close();
    await neighbour.close();
    expect(processFailures).toEqual([]);
  });

  it('a failure in a frame released later by the reorder timer is contained the same way', async () => {
    const victim = await device('late-failure');
    vi.spyOn(Resampler.prototype, 'push').mockImplementationOnce(() => {
      throw new Error('injected bug on the timer');
    });
    // seq 0 never comes: seq 1 waits for it, then the reorder timer hands seq 1 on (and the bug fires there).
    victim.send({ ...frames[1]!, seq: 1 });
    await victim.until((ms) => ms.some((m) => m.type === 'error'), 5000, 'an error');
    expect(victim.of('error')[0]).toMatchObject({ code: 'internal' });
    expect(await victim.closed).toBe(CloseCode.internalError);
    expect(processFailures).toEqual([]);
  });

  it('a session whose recording fails to close ends without an unhandled rejection', async () => {
    vi.spyOn(RecordingWriter.prototype, 'close').mockRejectedValue(Object.assign(new Error('EIO: i/o error, close'), { code: 'EIO' }));
    const c = await device('recorded');
    const started = await fetch(`${srv.url}/api/recordings/recorded/start`, { method: 'POST' });
    expect(started.status).toBe(200);
    c.send(frames[0]!);
    await sleep(50);
    await c.close();
    await sleep(200);
    expect(processFailures).toEqual([]);
    // The device slot is free again.
    const again = await device('recorded');
    await again.close();
  });
});
