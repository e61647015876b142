// SessionStore on its own: openSession makes FakeSessions (tests/devices/fakes/fake-session.ts),
// so what the store does with sessions — resume, refuse, start over, expire, close — is seen directly.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HelloMessage } from '../../protocol/sensor-messages.js';
import type { ValidationError } from '../../protocol/validate-sensor.js';
import { DEFAULT_CONFIG, type RateLimitConfig } from '../../server/config.js';
import type { SessionSnapshot } from '../../server/cluster/session-directory.js';
import { SNAPSHOT_INTERVAL_MS } from '../../server/cluster/session-directory.js';
import type { DeviceSessionOptions, HeldPrediction } from '../../server/devices/device-session.js';
import { SessionStore } from '../../server/devices/session-store.js';
import { hello } from './fakes/device-messages.js';
import { FakeLog } from './fakes/fake-log.js';
import { FakeSession } from './fakes/fake-session.js';
import { FakeSessionDirectory } from './fakes/fake-session-directory.js';

const stores: SessionStore[] = [];

afterEach(() => {
  vi.useRealTimers();
  // Stops their snapshot timers at once; sessions close in the background.
  for (const s of stores.splice(0)) void s.closeAll(0);
});

function makeStore(opts: { graceMs?: number; rateLimit?: RateLimitConfig; directory?: FakeSessionDirectory } = {}) {
  const opened: FakeSession[] = [];
  /** What each openSession call was given to carry over from another gateway. */
  const carriedOf: (readonly HeldPrediction[] | undefined)[] = [];
  let refuse: ValidationError | undefined;
  let clock = 0;
  const log = new FakeLog();
  const store = new SessionStore({
    openSession: (h: HelloMessage, o: DeviceSessionOptions, carried?: readonly HeldPrediction[]) => {
      carriedOf.push(carried);
      if (refuse) return { ok: false, error: refuse };
      const session = new FakeSession(h, o, ++clock);
      session.heldPredictions = [...(carried ?? [])];
      opened.push(session);
      return { ok: true, session: session.asSession };
    },
    graceMs: opts.graceMs ?? 10_000,
    rateLimit: opts.rateLimit ?? DEFAULT_CONFIG.rateLimit,
    ...(opts.directory ? { directory: { sessions: opts.directory, gatewayId: 'gw-a' } } : {}),
  });
  stores.push(store);
  return { store, opened, carriedOf, log, refuseWith: (e: ValidationError | undefined) => (refuse = e) };
}

const connection = (): DeviceSessionOptions => ({ send: () => true });

function openOk(store: SessionStore, h: HelloMessage, owner = 'token-1', opts = connection()) {
  const r = store.open(h, opts, owner);
  if (!r.ok) throw new Error(`refused: ${r.error.code} ${r.error.message}`);
  return r;
}

describe('SessionStore.open', () => {
  it('opens a fresh session and finds it by device id', () => {
    const { store, opened } = makeStore();
    const r = openOk(store, hello('a'));
    expect(r.resumed).toBe(false);
    expect(r.session).toBe(opened[0]!.asSession);
    expect(store.get('a')).toBe(r.session);
    expect(store.size).toBe(1);
  });

  it("passes the session's refusal on and keeps nothing", () => {
    const { store, refuseWith } = makeStore();
    refuseWith({ code: 'overloaded', message: 'full' });
    expect(store.open(hello('a'), connection(), 'token-1')).toEqual({ ok: false, error: { code: 'overloaded', message: 'full' } });
    expect(store.size).toBe(0);
  });

  it('resumes a detached session within the grace period: same owner, compatible hello', () => {
    const { store, opened } = makeStore();
    const first = openOk(store, hello('a'));
    store.release(first.session, { keep: true });
    expect(opened[0]!.attached).toBe(false);
    expect(opened[0]!.closed).toBe(false);
    expect(store.detachedCount).toBe(1);

    const second = connection();
    const again = openOk(store, hello('a', { lastWindowEnd: 1000 }), 'token-1', second);
    expect(again).toEqual({ ok: true, session: first.session, resumed: true });
    expect(opened).toHaveLength(1);
    expect(opened[0]!.connection).toBe(second);
    expect(store.resumed).toBe(1);
    expect(store.detachedCount).toBe(0);
  });

  it('refuses another owner with id-in-use while the session waits, and the owner can still resume', () => {
    const { store, opened } = makeStore();
    const first = openOk(store, hello('a'), 'token-1');
    store.release(first.session);
    const other = store.open(hello('a'), connection(), 'token-2');
    expect(other.ok ? undefined : other.error.code).toBe('id-in-use');
    expect(opened[0]!.closed).toBe(false);
    expect(opened).toHaveLength(1);
    expect(openOk(store, hello('a'), 'token-1').resumed).toBe(true);
  });

  it('starts over when the hello does not fit the held session (other units or rate)', () => {
    const { store, opened } = makeStore();
    for (const changed of [{ units: 'm/s2' as const }, { rateHz: 100 }]) {
      const held = openOk(store, hello('a'));
      store.release(held.session);
      const r = openOk(store, hello('a', changed));
      expect(r.resumed).toBe(false);
      expect(r.session).not.toBe(held.session);
      expect(opened.at(-2)!.closed).toBe(true);
      expect(store.size).toBe(1);
      store.release(r.session, { keep: false });
    }
    expect(store.resumed).toBe(0);
  });

  it('starts over when the held session has closed meanwhile (its pipeline failed)', () => {
    const { store, opened } = makeStore();
    const held = openOk(store, hello('a'));
    store.release(held.session);
    void opened[0]!.close();
    expect(openOk(store, hello('a')).resumed).toBe(false);
    expect(opened).toHaveLength(2);
  });
});

describe('SessionStore.release', () => {
  it('the grace period ending closes the session and frees its id', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { store, opened } = makeStore({ graceMs: 1000 });
    store.release(openOk(store, hello('a')).session);
    vi.advanceTimersByTime(999);
    expect(opened[0]!.closed).toBe(false);
    expect(store.size).toBe(1);
    vi.advanceTimersByTime(1);
    expect(opened[0]!.closed).toBe(true);
    expect(store.size).toBe(0);
    expect(store.detachedCount).toBe(0);
    // Another token may now use the id.
    expect(openOk(store, hello('a'), 'token-2').resumed).toBe(false);
  });

  it('a resumed session is not closed by the old grace timer', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { store, opened } = makeStore({ graceMs: 1000 });
    store.release(openOk(store, hello('a')).session);
    vi.advanceTimersByTime(500);
    openOk(store, hello('a'));
    vi.advanceTimersByTime(5000);
    expect(opened[0]!.closed).toBe(false);
    expect(store.size).toBe(1);
  });

  it('keep:false (a clean close) closes at once; so does any release without a grace period', () => {
    const { store, opened } = makeStore();
    store.release(openOk(store, hello('a')).session, { keep: false });
    expect(opened[0]!.closed).toBe(true);
    expect(store.size).toBe(0);

    const noGrace = makeStore({ graceMs: 0 });
    noGrace.store.release(openOk(noGrace.store, hello('b')).session, { keep: true });
    expect(noGrace.opened[0]!.closed).toBe(true);
    expect(noGrace.store.size).toBe(0);
  });

  it("releasing a session the store no longer holds closes it and leaves the id's new session alone", () => {
    const { store, opened } = makeStore();
    const old = openOk(store, hello('a'));
    store.release(old.session);
    const fresh = openOk(store, hello('a', { units: 'm/s2' })); // replaced the held one
    store.release(old.session, { keep: true });
    expect(opened[0]!.closed).toBe(true);
    expect(store.get('a')).toBe(fresh.session);
    expect(opened[1]!.closed).toBe(false);
  });
});

describe('SessionStore.closeAll', () => {
  it('closes every session, attached or waiting, and resolves 0 when all finished', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { store, opened } = makeStore({ graceMs: 1000 });
    openOk(store, hello('a'));
    store.release(openOk(store, hello('b')).session);
    const closing = store.closeAll(100);
    await vi.advanceTimersByTimeAsync(0);
    expect(await closing).toBe(0);
    expect(opened.map((s) => s.closeCalls)).toEqual([1, 1]);
    expect(store.size).toBe(0);
    vi.advanceTimersByTime(5000); // the waiting one's grace timer was cleared: no second close
    expect(opened.map((s) => s.closeCalls)).toEqual([1, 1]);
  });

  it('counts the sessions that did not finish in time (one whose close hangs)', async () => {
    const { store, opened } = makeStore();
    openOk(store, hello('a'));
    openOk(store, hello('b'));
    openOk(store, hello('c'));
    opened[1]!.hangOnClose = true;
    const t0 = performance.now();
    expect(await store.closeAll(50)).toBe(1);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(45);
    expect(opened.every((s) => s.closeCalls === 1)).toBe(true);
  });
});

describe('SessionStore rate limits', () => {
  it("a device's rate-limit buckets survive its reconnects", () => {
    // 1 sample/s: nothing refills noticeably during the test.
    const { store } = makeStore({ rateLimit: { samplesPerSec: 1, burstSamples: 50, errorsPerSec: 20, framesPerSec: 1 } });
    const first = openOk(store, hello('a'));
    const buckets = store.rateLimits.of('a');
    expect(buckets.samples.take(50)).toBe(true);
    expect(buckets.frames.take(2)).toBe(true); // burst: twice the frame rate
    store.release(first.session, { keep: false });
    openOk(store, hello('a'));
    expect(store.rateLimits.of('a')).toBe(buckets);
    expect(store.rateLimits.of('a').samples.take(1)).toBe(false);
    expect(store.rateLimits.of('a').frames.take(1)).toBe(false);
    // Another device has its own.
    expect(store.rateLimits.of('b').samples.take(50)).toBe(true);
  });

  it('frames per second default to a quarter of the samples per second', () => {
    const { store } = makeStore({ rateLimit: { samplesPerSec: 40, burstSamples: 100, errorsPerSec: 20 } });
    const frames = store.rateLimits.of('a').frames;
    expect(frames.take(20)).toBe(true); // burst 2 x 10/s
    expect(frames.take(1)).toBe(false);
  });
});

describe('SessionStore in a cluster (a session directory)', () => {
  const heldOf = (deviceId: string, ends: number[]): HeldPrediction[] =>
    ends.map((windowEnd) => ({ message: { type: 'prediction', deviceId, windowEnd, probs: [1, 0], label: 'walking', latencyMs: 1 }, sent: false }));
  const snapshot = (over: Partial<SessionSnapshot> = {}): SessionSnapshot => ({
    deviceId: 'a',
    owner: 'token-1',
    units: 'g',
    rateHz: 50,
    gatewayId: 'gw-b',
    savedAt: 1,
    held: heldOf('a', [180, 380]),
    ...over,
  });

  it('without a directory, or for a device it holds, there is nothing to look up', async () => {
    expect(makeStore().store.findElsewhere('a')).toBeUndefined();
    const directory = new FakeSessionDirectory();
    directory.stored.set('a', snapshot());
    const { store } = makeStore({ directory });
    expect(await store.findElsewhere('a')).toEqual(snapshot());
    openOk(store, hello('a'), 'token-1');
    expect(store.findElsewhere('a')).toBeUndefined();
  });

  it("continues another gateway's session for the same token: its held predictions carried, answered as resumed", () => {
    const { store, carriedOf } = makeStore({ directory: new FakeSessionDirectory() });
    const r = store.open(hello('a'), connection(), 'token-1', snapshot());
    expect(r.ok && r.resumed).toBe(true);
    expect(carriedOf).toEqual([snapshot().held]);
    expect(store.resumed).toBe(1);
  });

  it('refuses another token with id-in-use, and starts afresh for a hello that does not fit', () => {
    const { store, carriedOf } = makeStore({ directory: new FakeSessionDirectory() });
    const other = store.open(hello('a'), connection(), 'token-2', snapshot());
    expect(other.ok ? undefined : other.error.code).toBe('id-in-use');
    expect(carriedOf).toEqual([]);
    const r = store.open(hello('a', { rateHz: 100 }), connection(), 'token-1', snapshot());
    expect(r.ok && r.resumed).toBe(false);
    expect(carriedOf).toEqual([undefined]);
    expect(store.resumed).toBe(0);
  });

  it('saves a snapshot when a session opens, again when it changed, and forgets it when the session ends', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
    const directory = new FakeSessionDirectory();
    const { store, opened } = makeStore({ directory });
    const r = openOk(store, hello('a'), 'token-1');
    expect(directory.saves).toEqual([expect.objectContaining({ deviceId: 'a', owner: 'token-1', units: 'g', rateHz: 50, gatewayId: 'gw-a', held: [] })]);
    vi.advanceTimersByTime(SNAPSHOT_INTERVAL_MS);
    expect(directory.saves).toHaveLength(1); // unchanged: not saved again
    opened[0]!.heldPredictions = heldOf('a', [180]);
    opened[0]!.version++;
    vi.advanceTimersByTime(SNAPSHOT_INTERVAL_MS);
    expect(directory.saves).toHaveLength(2);
    expect(directory.saves[1]!.held).toEqual(heldOf('a', [180]));
    store.release(r.session, { keep: false });
    expect(directory.forgets).toEqual(['a']);
  });

  it('at shutdown the snapshots are saved fresh and kept, so the devices resume on another gateway', async () => {
    const directory = new FakeSessionDirectory();
    const { store } = makeStore({ directory });
    openOk(store, hello('a'));
    openOk(store, hello('b'));
    directory.saves.length = 0;
    expect(await store.closeAll(100)).toBe(0);
    expect(directory.saves.map((s) => s.deviceId)).toEqual(['a', 'b']);
    expect(directory.forgets).toEqual([]);
  });
});
