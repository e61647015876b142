// DeviceSession on its own: every dependency is a fake (tests/devices/fakes/) but the pipeline
// it builds itself and a PersonalModels without a shared head. One window per 10-sample frame
// (TINY_MODEL), so frame k's prediction has windowEnd 180 + 200 k.
import { describe, expect, it } from 'vitest';
import type { PersonalHead } from '../../models/har/personal-head.js';
import type { PredictionMessage } from '../../protocol/sensor-messages.js';
import { OverloadedError } from '../../server/batching/dynamic-batcher.js';
import type { PersonalModels } from '../../server/calibration/personal-models.js';
import { DeviceSession, MAX_HELD_PREDICTIONS } from '../../server/devices/device-session.js';
import { hello, samples } from './fakes/device-messages.js';
import { FIXED_PROBS, TINY_MODEL } from './fakes/fake-inference.js';
import { FakeDeviceEnd, fakeSessionDeps, settle } from './fakes/session-deps.js';

const windowEnd = (frame: number) => 180 + 200 * frame;

function open(f = fakeSessionDeps(), end = new FakeDeviceEnd(), deviceId = 'phone-1') {
  const opened = DeviceSession.open(hello(deviceId), f.deps, end.opts);
  if (!opened.ok) throw new Error(`the session did not open: ${opened.error.message}`);
  return { ...f, end, session: opened.session };
}

function push(session: DeviceSession, frames: unknown[]): void {
  for (const frame of frames) session.push(frame, performance.now());
}

describe('DeviceSession.open and close', () => {
  it('claims the device id while open and releases it on close (once)', async () => {
    const { session, claims } = open();
    expect(claims.held).toEqual(['phone-1']);
    const close = session.close();
    expect(claims.held).toEqual([]); // at once, before the pipeline has finished
    expect(session.closed).toBe(true);
    await close;
    expect(await session.close()).toBeUndefined();
    expect(claims.releases).toBe(1);
  });

  it.each([
    { code: 'id-in-use' as const, message: 'already connected' },
    { code: 'overloaded' as const, message: 'at most 200 devices' },
  ])('returns a refused claim ($code) as it is and starts nothing', ({ code, message }) => {
    const f = fakeSessionDeps({ recordAll: true });
    f.claims.refuse = { code, message };
    const opened = DeviceSession.open(hello(), f.deps, new FakeDeviceEnd().opts);
    expect(opened).toEqual({ ok: false, error: { code, message } });
    expect(f.recordings.opened).toHaveLength(0);
  });

  it('a second session of a held id is refused with id-in-use', () => {
    const f = fakeSessionDeps();
    open(f);
    const again = DeviceSession.open(hello('phone-1'), f.deps, new FakeDeviceEnd().opts);
    expect(again.ok ? undefined : again.error.code).toBe('id-in-use');
  });

  it('a recording that cannot start releases the claim (no slot leak) and says why', () => {
    const f = fakeSessionDeps({ recordAll: true });
    f.recordings.failOpen = new Error("ENOTDIR: not a directory, open 'recordings/x.ndjson'");
    for (let attempt = 0; attempt < 2; attempt++) {
      const opened = DeviceSession.open(hello('unlucky'), f.deps, new FakeDeviceEnd().opts);
      // The same failure both times, never `id-in-use`: the first attempt left no claim behind.
      expect(opened.ok).toBe(false);
      if (opened.ok) return;
      expect(opened.error.code).toBe('internal');
      expect(opened.error.message).toMatch(/could not start the session: ENOTDIR/);
    }
    expect(f.claims.held).toEqual([]);
    expect(f.claims.releases).toBe(2);
    expect(f.log.errors().map((e) => e.msg)).toEqual(['device session failed to start', 'device session failed to start']);
  });

  it('a session that failed to start sends nothing later (its stored personal head loads after the failure)', async () => {
    const classes = [...TINY_MODEL.classes];
    const shared = { classes, featureSize: 2, kernel: new Float32Array(6), bias: new Float32Array(3) };
    const head: PersonalHead = { ...shared, sharedFingerprint: 'fake', calibrated: classes, windows: { walking: 10 }, trainAccuracy: 1, fittedAt: '2026-12-04T00:00:00Z' };
    // PersonalModels as a session's calibration uses it: a shared head, and this device's stored head.
    const personal = { shared, unavailable: undefined, fingerprint: 'fake', load: () => Promise.resolve(structuredClone(head)) } as unknown as PersonalModels;

    const started = fakeSessionDeps({ recordAll: true });
    const control = open({ ...started, deps: { ...started.deps, personal } });
    await settle();
    expect(control.end.sent).toEqual([expect.objectContaining({ type: 'calibration-status', personal: true })]); // the fake head does load

    const failed = fakeSessionDeps({ recordAll: true });
    failed.recordings.failOpen = new Error('ENOTDIR');
    const end = new FakeDeviceEnd();
    expect(DeviceSession.open(hello(), { ...failed.deps, personal }, end.opts).ok).toBe(false);
    await settle();
    expect(end.sent).toEqual([]);
  });

  it('the welcome carries the model shape, the backend and the limits', () => {
    const { session, deps } = open();
    expect(session.welcome()).toEqual({
      type: 'welcome',
      deviceId: 'phone-1',
      classes: [...TINY_MODEL.classes],
      windowSize: TINY_MODEL.windowSize,
      hop: TINY_MODEL.hop,
      rateHz: TINY_MODEL.rateHz,
      backend: 'fake-backend',
      limits: deps.limits,
    });
    expect(session.welcome().limits).not.toBe(deps.limits); // a copy: a device cannot change the server's
    expect(session.welcome(true).resumed).toBe(true);
    expect('resumed' in session.welcome(false)).toBe(false);
  });
});

describe('DeviceSession frames and predictions', () => {
  it('frames in, predictions out: to the device and to fan-out, with label, probabilities and latency', async () => {
    const { session, end, fanOut, inference, stats, recordings } = open(fakeSessionDeps({ recordAll: true }));
    const frames = samples(4);
    push(session, frames);
    await settle();
    const predictions = end.predictions();
    expect(predictions.map((p) => p.windowEnd)).toEqual([0, 1, 2, 3].map(windowEnd));
    for (const p of predictions) {
      expect(p).toMatchObject({ type: 'prediction', deviceId: 'phone-1', label: 'sitting', source: 'shared' });
      expect(p.probs).toEqual([...FIXED_PROBS].map((v) => Math.round(v * 1e4) / 1e4));
      expect(p.latencyMs).toBeGreaterThanOrEqual(0);
      expect(p.latencyMs).toBeLessThan(5000);
    }
    expect(fanOut.predictions).toEqual(predictions);
    expect(stats.latenciesMs).toHaveLength(4);
    expect(session.lastPrediction).toEqual(predictions[3]);
    // Each window went to inference with the device's id (fair batching) and its placement.
    expect(inference.calls.map((c) => [c.deviceId, c.placement, c.window.length])).toEqual(Array(4).fill(['phone-1', 'pocket', TINY_MODEL.windowSize * 3]));
    // Accepted frames were recorded, in order.
    expect(recordings.opened[0]!.frames.map((f) => (f as { seq: number }).seq)).toEqual([0, 1, 2, 3]);
  });

  it('the label is the class with the highest probability', async () => {
    const f = fakeSessionDeps();
    f.inference.answer = (call) => (call % 2 === 0 ? Float32Array.of(0.9, 0.05, 0.05) : Float32Array.of(0.1, 0.1, 0.8));
    const { session, end } = open(f);
    push(session, samples(4));
    await settle();
    expect(end.predictions().map((p) => p.label)).toEqual(['walking', 'lying', 'walking', 'lying']);
  });

  it('an invalid frame is answered with its seq and loses nothing else', async () => {
    const { session, end, stats } = open();
    const [a, b, c] = samples(3);
    push(session, [a, { ...b, x: 'not numbers' }, c]);
    await settle();
    expect(end.errors()).toEqual([expect.objectContaining({ code: 'invalid', seq: 1 })]);
    expect(stats.errors).toEqual(['invalid']);
    expect(end.predictions().length).toBeGreaterThanOrEqual(1);
  });

  it('sends signal to fan-out only while a dashboard watches the device', async () => {
    const { session, fanOut } = open();
    push(session, samples(3));
    await new Promise((r) => setTimeout(r, 60));
    expect(fanOut.isWatchedCalls).toBeGreaterThan(0); // it asked, per frame
    expect(fanOut.signals).toHaveLength(0);

    fanOut.watched.add('phone-1');
    push(session, samples(3, { firstSeq: 3, fromSample: 30 }));
    await expect.poll(() => fanOut.signals.length, { timeout: 2000 }).toBeGreaterThan(0);
    for (const s of fanOut.signals) expect(s).toMatchObject({ type: 'signal', deviceId: 'phone-1' });
    // Only the watched frames' samples (t from 600 ms on), thinned to the signal's 25 Hz.
    const points = fanOut.signals.flatMap((s) => s.t);
    expect(Math.min(...points)).toBeGreaterThanOrEqual(600);
    expect(points.length).toBeLessThanOrEqual(16);

    fanOut.watched.clear();
    push(session, samples(3, { firstSeq: 6, fromSample: 60 }));
    await new Promise((r) => setTimeout(r, 60));
    await session.close(); // flushes what the signal branch still batches
    // Nothing of the frames sent once nobody watched (t from 1,200 ms on).
    expect(Math.max(...fanOut.signals.flatMap((sig) => sig.t))).toBeLessThan(1200);
  });

  it('OverloadedError from inference becomes an `overloaded` error to the device; other failures `internal`', async () => {
    const f = fakeSessionDeps();
    f.inference.answer = (call) => (call === 0 ? new OverloadedError(256, 256) : call === 1 ? new Error('batch failed') : FIXED_PROBS);
    const { session, end, fanOut, stats } = open(f);
    push(session, samples(3));
    await settle();
    expect(end.errors().map((e) => [e.code, e.message])).toEqual([
      ['overloaded', `the inference queue is full: the window ending at t=${windowEnd(0)} was dropped`],
      ['internal', `classifying the window ending at t=${windowEnd(1)} failed: batch failed`],
    ]);
    expect(stats.errors).toEqual(['overloaded', 'internal']);
    // The stream goes on: the third window is classified.
    expect(end.predictions().map((p) => p.windowEnd)).toEqual([windowEnd(2)]);
    expect(fanOut.predictions).toHaveLength(1);
  });
});

describe('DeviceSession around its stream', () => {
  it('a bug in a stage ends this session only: the device is told, its transport asked to disconnect', async () => {
    const f = fakeSessionDeps();
    const { session, end, claims, log } = open(f);
    const other = open(f, new FakeDeviceEnd(), 'phone-2');
    f.fanOut.failWith = new Error('sink bug');
    push(session, samples(1));
    await settle();
    expect(end.errors()).toEqual([{ type: 'error', code: 'internal', message: 'the server failed to process this stream: sink bug' }]);
    expect(end.crashes).toEqual([f.fanOut.failWith]);
    expect(session.closed).toBe(true);
    expect(claims.held).toEqual(['phone-2']);
    expect(log.errors().map((e) => e.msg)).toEqual(['device pipeline failed: closing the device']);
    f.fanOut.failWith = undefined;
    push(other.session, samples(2));
    await settle();
    expect(other.end.predictions()).toHaveLength(2);
  });

  it('continues only a hello with the same units and rate', () => {
    const { session } = open();
    expect(session.compatibleWith(hello('phone-1', { placement: 'hand', lastWindowEnd: 5 }))).toBe(true);
    expect(session.compatibleWith(hello('phone-1', { units: 'm/s2' }))).toBe(false);
    expect(session.compatibleWith(hello('phone-1', { rateHz: 100 }))).toBe(false);
  });

  it('records on demand: one recording at a time, frames until it stops', async () => {
    const { session, recordings } = open();
    expect(session.recording).toBeUndefined();
    push(session, samples(1));
    const first = session.startRecording();
    expect(first.started).toBe(true);
    expect(session.startRecording()).toEqual({ recording: first.recording, started: false });
    push(session, samples(2, { firstSeq: 1, fromSample: 10 }));
    expect(await session.stopRecording()).toBe(first.recording);
    expect(await session.stopRecording()).toBeUndefined();
    push(session, samples(1, { firstSeq: 3, fromSample: 30 }));
    await session.close();
    expect(recordings.opened).toHaveLength(1);
    expect(recordings.opened[0]!.frames.map((fr) => (fr as { seq: number }).seq)).toEqual([1, 2]);
    expect(recordings.opened[0]!.closedWith).toBe('stopped');
  });
});

describe('DeviceSession detach and attach', () => {
  it("a resumed connection's seq 0 follows the old connection's frames", async () => {
    // Control: one connection, six frames.
    const control = open(fakeSessionDeps(), new FakeDeviceEnd(), 'control');
    push(control.session, samples(6));
    await control.session.close();

    const { session, end, recordings } = open(fakeSessionDeps({ recordAll: true }));
    push(session, samples(3));
    await settle();
    session.detach();
    expect(session.attached).toBe(false);
    const second = new FakeDeviceEnd();
    session.attach(second.opts);
    expect(session.attached).toBe(true);
    // The device's clock goes on, its seq starts again at 0 (the protocol says so).
    push(session, samples(3, { fromSample: 30 }));
    await session.close();
    expect(second.errors()).toEqual([]);
    expect([...end.predictions(), ...second.predictions()].map((p) => p.windowEnd)).toEqual(control.end.predictions().map((p) => p.windowEnd));
    expect(recordings.opened[0]!.resumedMarks).toBe(1);
    expect(recordings.opened[0]!.frames).toHaveLength(6);
  });

  it("errors on a resumed connection name that connection's seq numbers", async () => {
    const { session } = open();
    push(session, samples(5));
    session.detach();
    const second = new FakeDeviceEnd();
    session.attach(second.opts);
    const [a, b] = samples(2, { fromSample: 50 });
    push(session, [a, { ...b!, y: [1, 2] }]); // seq 1: columns of different lengths
    // seq 0 again: a repeat (a fresh object, as a decoded frame is: push shifts seq in place).
    push(session, samples(1, { fromSample: 50 }));
    await settle();
    expect(second.errors().map((e) => [e.code, e.seq])).toEqual([
      ['invalid', 1],
      ['out-of-range', 0],
    ]);
    expect(second.errors()[1]!.message).toMatch(/^frame seq 0 /);
  });

  it('predictions made while detached are held and delivered after the welcome, the newest MAX_HELD_PREDICTIONS', async () => {
    const f = fakeSessionDeps();
    const { session, end, fanOut, inference } = open(f);
    inference.holding = true; // windows wait in inference while the connection drops
    const n = MAX_HELD_PREDICTIONS + 6;
    push(session, samples(n));
    await settle();
    session.detach();
    inference.release();
    await settle();
    expect(end.predictions()).toHaveLength(0);
    expect(fanOut.predictions).toHaveLength(n); // dashboards got them all meanwhile

    const second = new FakeDeviceEnd();
    session.attach(second.opts);
    expect(second.sent).toHaveLength(0); // nothing before the welcome
    session.deliverMissed();
    expect(second.predictions()).toEqual(fanOut.predictions.slice(-MAX_HELD_PREDICTIONS));
    session.deliverMissed();
    expect(second.predictions()).toHaveLength(MAX_HELD_PREDICTIONS); // sent once
  });

  it('deliverMissed(lastWindowEnd) sends what came after the last prediction the device saw', async () => {
    const { session, end } = open();
    push(session, samples(5));
    await settle();
    expect(end.predictions()).toHaveLength(5);
    session.detach();
    const second = new FakeDeviceEnd();
    session.attach(second.opts);
    session.deliverMissed(windowEnd(2)); // the last two were lost on the old link
    expect(second.predictions().map((p) => p.windowEnd)).toEqual([windowEnd(3), windowEnd(4)]);
  });

  it('a prediction whose send failed (socket gone, not yet closed) counts as missed', async () => {
    const { session, end } = open();
    push(session, samples(2));
    await settle();
    end.connected = false;
    push(session, samples(2, { firstSeq: 2, fromSample: 20 }));
    await settle();
    session.detach();
    const second = new FakeDeviceEnd();
    session.attach(second.opts);
    session.deliverMissed();
    expect(second.predictions().map((p: PredictionMessage) => p.windowEnd)).toEqual([windowEnd(2), windowEnd(3)]);
  });
});

describe('DeviceSession carried over from another gateway', () => {
  const heldOf = (ends: number[], sent = false) =>
    ends.map((windowEnd) => ({ message: { type: 'prediction' as const, deviceId: 'phone-1', windowEnd, probs: [0.2, 0.7, 0.1], label: 'sitting', latencyMs: 1 }, sent }));

  it('delivers the held predictions the device missed, the newest MAX_HELD_PREDICTIONS', () => {
    const carried = heldOf(Array.from({ length: MAX_HELD_PREDICTIONS + 6 }, (_, i) => windowEnd(i)));
    const end = new FakeDeviceEnd();
    const opened = DeviceSession.open(hello(), fakeSessionDeps().deps, end.opts, carried);
    if (!opened.ok) throw new Error(opened.error.message);
    expect(end.sent).toEqual([]);
    opened.session.deliverMissed();
    expect(end.predictions()).toEqual(carried.slice(-MAX_HELD_PREDICTIONS).map((h) => h.message));
  });

  it('after the last window the device saw; and held() snapshots what a reconnect would get', async () => {
    const end = new FakeDeviceEnd();
    const opened = DeviceSession.open(hello(), fakeSessionDeps().deps, end.opts, heldOf([windowEnd(0), windowEnd(1), windowEnd(2)], true));
    if (!opened.ok) throw new Error(opened.error.message);
    const { session } = opened;
    session.deliverMissed(windowEnd(1));
    expect(end.predictions().map((p) => p.windowEnd)).toEqual([windowEnd(2)]);
    const version = session.version;
    push(session, samples(1));
    await settle();
    expect(session.version).toBe(version + 1);
    const held = session.held();
    expect(held.map((h) => [h.message.windowEnd, h.sent])).toEqual([...[0, 1, 2].map((i) => [windowEnd(i), true]), [windowEnd(0), true]]);
    held[0]!.sent = false; // a copy: the snapshot cannot change the session
    expect(session.held()[0]!.sent).toBe(true);
  });
});

describe('DeviceSession.close', () => {
  it('lets the pipeline finish: the last predictions still go out to the device and fan-out', async () => {
    const { session, end, fanOut, inference, claims } = open();
    inference.holding = true;
    push(session, samples(3));
    await settle();
    const closing = session.close();
    push(session, samples(1, { firstSeq: 3, fromSample: 30 })); // after close: ignored
    expect(claims.held).toEqual([]);
    expect(end.predictions()).toHaveLength(0);
    inference.release();
    await closing;
    expect(end.predictions().map((p) => p.windowEnd)).toEqual([0, 1, 2].map(windowEnd));
    expect(fanOut.predictions).toHaveLength(3);
    expect(inference.calls).toHaveLength(3);
  });

  it('never rejects: a recording that fails to close is logged and the recording is still ended', async () => {
    const f = fakeSessionDeps({ recordAll: true });
    f.recordings.failClose = new Error('EIO: i/o error, fdatasync');
    const { session, recordings, log, claims } = open(f);
    push(session, samples(2));
    await expect(session.close()).resolves.toBeUndefined();
    expect(recordings.opened[0]!.closedWith).toBe('session ended');
    expect(log.errors().map((e) => e.msg)).toEqual(['ending the device session failed']);
    expect(claims.held).toEqual([]);
  });

  it('never rejects when a window is still in inference and inference then fails', async () => {
    const f = fakeSessionDeps();
    f.inference.holding = true;
    f.inference.answer = () => new Error('worker died');
    const { session, end } = open(f);
    push(session, samples(2));
    const closing = session.close();
    f.inference.release();
    await expect(closing).resolves.toBeUndefined();
    expect(end.errors().map((e) => e.code)).toEqual(['internal', 'internal']);
  });
});
