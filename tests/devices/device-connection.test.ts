// DeviceConnection on its own: a fake socket (tests/devices/fakes/fake-socket.ts), fake sessions
// and store, a fake token check; the protocol code (decoding, validation, buckets) is the real one.
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CloseCode } from '../../protocol/close-codes.js';
import { makeConfig, type ConfigOverrides } from '../../server/config.js';
import { DeviceConnection, type DeviceConnectionDeps } from '../../server/devices/device-connection.js';
import { DeviceSession } from '../../server/devices/device-session.js';
import { OPEN_PRINCIPAL, type Principal } from '../../server/security/auth.js';
import type { ConnectionInfo } from '../../server/ws/upgrade-router.js';
import { hello, samples } from './fakes/device-messages.js';
import { FakeLog } from './fakes/fake-log.js';
import { FakeSessions } from './fakes/fake-sessions.js';
import { FakeShedder } from './fakes/fake-shedder.js';
import { FakeSocket } from './fakes/fake-socket.js';
import { FakeStats } from './fakes/fake-stats.js';
import { FakeDeviceEnd, fakeSessionDeps, settle } from './fakes/session-deps.js';

const packr = new Packr({ useRecords: false });

const PRINCIPALS: Record<string, Principal> = {
  'device-token': { id: 'token-1', scopes: new Set(['device']) },
  'viewer-token': { id: 'token-2', scopes: new Set(['viewer']) },
};
const tokenAuth: DeviceConnectionDeps['auth'] = { required: true, identify: (t) => (typeof t === 'string' ? PRINCIPALS[t] : undefined) };
const openAuth: DeviceConnectionDeps['auth'] = { required: false, identify: () => OPEN_PRINCIPAL };
/** A connection whose upgrade carried no token, on a server that wants one. */
const unauthenticated: ConnectionInfo = { id: 'ws-1', ip: '127.0.0.1', authenticated: false };

const sockets: FakeSocket[] = [];

afterEach(() => {
  // Every connection ends (its hello timer with it).
  for (const s of sockets.splice(0)) if (s.readyState !== s.CLOSED) s.closed(CloseCode.normal);
  vi.useRealTimers();
});

function connect(opts: { auth?: DeviceConnectionDeps['auth']; conn?: ConnectionInfo; config?: ConfigOverrides; sessions?: FakeSessions; shedder?: FakeShedder; harUnavailable?: string } = {}) {
  const socket = new FakeSocket();
  sockets.push(socket);
  const sessions = opts.sessions ?? new FakeSessions();
  const shedder = opts.shedder ?? new FakeShedder();
  const stats = new FakeStats();
  const log = new FakeLog();
  const deps: DeviceConnectionDeps = {
    sessions,
    shedder,
    auth: opts.auth ?? openAuth,
    stats,
    log,
    harUnavailable: () => opts.harUnavailable,
    config: makeConfig({ helloTimeoutMs: 5000, ...opts.config }),
  };
  const connection = new DeviceConnection(socket.asWebSocket, deps, opts.conn);
  return { socket, sessions, shedder, stats, log, connection };
}

/** A connection that has said hello (open server): its session is sessions.opened[0]. */
function connected(opts: Parameters<typeof connect>[0] = {}, deviceId = 'phone-1') {
  const c = connect(opts);
  c.socket.receive(hello(deviceId));
  const session = c.sessions.opened.at(-1);
  if (!session || c.socket.messages()[0]?.type !== 'welcome') throw new Error(`no welcome: ${JSON.stringify(c.socket.messages())}`);
  return { ...c, session };
}

describe('DeviceConnection before the hello', () => {
  it('closes with 1008 when no valid hello comes in time', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { socket } = connect({ config: { helloTimeoutMs: 1000 } });
    socket.receive({ type: 'hello', deviceId: 'bad id!' }); // an invalid hello does not stop the clock
    vi.advanceTimersByTime(999);
    expect(socket.closes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(socket.closes).toEqual([{ code: CloseCode.policy, reason: 'no valid hello within 1000 ms' }]);
  });

  it('a valid hello in time stops the hello timer', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { socket } = connect({ config: { helloTimeoutMs: 1000 } });
    socket.receive(hello());
    vi.advanceTimersByTime(10_000);
    expect(socket.closes).toEqual([]);
  });

  it('answers samples and calibration before the hello with not-hello, and lives on', () => {
    const { socket, sessions, stats } = connect();
    socket.receive(samples(1)[0]!);
    socket.receive({ type: 'calibration', action: 'start' });
    expect(socket.errors().map((e) => e.code)).toEqual(['not-hello', 'not-hello']);
    expect(stats.errors).toEqual(['not-hello', 'not-hello']);
    expect(stats.frames).toEqual([]);
    expect(sessions.opens).toHaveLength(0);
    socket.receive(hello());
    expect(socket.messages().at(-1)).toMatchObject({ type: 'welcome', deviceId: 'phone-1' });
    expect(socket.closes).toEqual([]);
  });
});

describe('DeviceConnection with bad frames', () => {
  it('answers undecodable bytes and text with bad-frame, in the encoding of the frame, and lives on', () => {
    const { socket } = connect();
    socket.receive(Uint8Array.of(0xc1)); // a byte msgpack never uses
    socket.receive(Uint8Array.of(0xdc, 0xff, 0xff)); // an array of 65,535 items, none there
    socket.receive('{"type": "hello", ');
    expect(socket.errors().map((e) => e.code)).toEqual(['bad-frame', 'bad-frame', 'bad-frame']);
    expect(socket.sent.map((s) => s.binary)).toEqual([true, true, false]);
    socket.receive(hello());
    expect(socket.messages().at(-1)!.type).toBe('welcome');
    expect(socket.closes).toEqual([]);
  });

  it('answers msgpack frames whose integers decode as BigInt with a typed error, and lives on', () => {
    const { socket, sessions } = connect();
    socket.receive(packr.pack({ type: 'hello', deviceId: 'phone-1', rateHz: 2n ** 60n, units: 'g' }));
    socket.receive(packr.pack({ type: 2n ** 63n }));
    expect(socket.errors()).toEqual([
      expect.objectContaining({ code: 'invalid', message: expect.stringMatching(/^rateHz must be a number/) }),
      expect.objectContaining({ code: 'invalid', message: expect.stringMatching(/^"type" must be a string/) }),
    ]);
    expect(sessions.opens).toHaveLength(0);
    socket.receive(packr.pack(hello()));
    expect(socket.sent.at(-1)).toMatchObject({ binary: true, message: { type: 'welcome' } });
    // After the hello, a samples frame with a BigInt seq reaches the session (which validates it) without a throw.
    socket.receive(packr.pack({ type: 'samples', seq: 2n ** 62n, t: [0], x: [0], y: [0], z: [1] }));
    expect(sessions.opened[0]!.pushed).toHaveLength(1);
    expect(socket.closes).toEqual([]);
  });

  it('any bytes at all: at most one error reply per frame, never a throw or a close (fixed seed)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, binary) => {
        const { socket, log } = connect();
        if (binary) socket.receive(bytes);
        else socket.receive(Buffer.from(bytes).toString('latin1'));
        expect(socket.sent.length).toBeLessThanOrEqual(1);
        for (const m of socket.messages()) expect(m.type).toBe('error');
        expect(socket.closes).toEqual([]);
        expect(log.errors()).toEqual([]); // no handler failure behind the replies
        socket.closed(CloseCode.normal);
      }),
      { seed: 14, numRuns: 300 },
    );
  });

  it('error replies are capped per connection (counted all the same)', () => {
    const { socket, stats } = connect({ config: { rateLimit: { errorsPerSec: 5 } } });
    const t0 = performance.now();
    for (let i = 0; i < 30; i++) socket.receive(Uint8Array.of(0xc1));
    const refilled = Math.floor((5 * (performance.now() - t0)) / 1000);
    expect(stats.errors).toHaveLength(30);
    expect(socket.errors().length).toBeGreaterThanOrEqual(10); // burst: twice the rate
    expect(socket.errors().length).toBeLessThanOrEqual(10 + refilled + 1); // ... and what refilled meanwhile
  });

  it('a handler exception costs an `internal` error frame, not the process, and the connection goes on', () => {
    const { socket, session, log } = connected();
    session.pushThrows = new Error('boom');
    const [a, b] = samples(2);
    expect(() => socket.receive(a!)).not.toThrow();
    expect(socket.errors()).toEqual([{ type: 'error', code: 'internal', message: 'the server failed to handle this frame: boom' }]);
    expect(log.errors().map((e) => e.msg)).toEqual(['device frame handler failed']);
    session.pushThrows = undefined;
    socket.receive(b!);
    expect(session.pushed).toEqual([b]);
    expect(socket.closes).toEqual([]);
  });
});

describe('DeviceConnection read limits', () => {
  it('frames over the byte budget are answered rate-limited and reading pauses until it refills', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    // 2,000 B/s, bursts of the frame limit (4,000 B): two frames of ~1.8 KB, then the third waits.
    const { socket, session } = connected({ config: { limits: { maxFrameBytes: 4000 }, rateLimit: { bytesPerSec: 2000 } } });
    const frames = samples(3, { perFrame: 60 });
    expect(JSON.stringify(frames[0]).length).toBeGreaterThan(1500);
    expect(JSON.stringify(frames[0]).length).toBeLessThan(2000);
    for (const f of frames) socket.receive(f);
    expect(session.pushed).toHaveLength(2);
    expect(socket.errors()).toEqual([expect.objectContaining({ code: 'rate-limited', message: 'more than 2000 bytes/s: frame dropped, reading paused' })]);
    expect(socket.paused).toBe(true);
    vi.advanceTimersByTime(1000);
    expect(socket.paused).toBe(false);
  });

  it('before a hello that brings the token: a few small frames only (pre-auth limits)', () => {
    const big = connect({ auth: tokenAuth, conn: unauthenticated, config: { preAuth: { maxFrameBytes: 100, maxFrames: 4 } } });
    big.socket.receive(hello('phone-1', { token: 'device-token', description: 'x'.repeat(200) }));
    expect(big.socket.closes).toEqual([{ code: CloseCode.tooBig, reason: 'frames before a valid hello must be at most 100 bytes' }]);
    expect(big.sessions.opens).toHaveLength(0);

    const slow = connect({ auth: tokenAuth, conn: unauthenticated, config: { preAuth: { maxFrameBytes: 4096, maxFrames: 4 } } });
    for (let i = 0; i < 5; i++) slow.socket.receive(samples(1)[0]!);
    expect(slow.socket.errors().map((e) => e.code)).toEqual(['not-hello', 'not-hello', 'not-hello', 'not-hello']);
    expect(slow.socket.closes).toEqual([{ code: CloseCode.policy, reason: '4 frames without a valid hello' }]);
  });

  it('a device that does not read its replies is cut (1008), and its session ends with it', async () => {
    const { socket, session, sessions } = connected({ config: { slowConsumerMs: 1 } });
    socket.bufferedAmount = 1 << 30; // nothing it was sent has been read
    socket.receive(Uint8Array.of(0xc1)); // an error reply: dropped, the clock starts
    await new Promise((r) => setTimeout(r, 5));
    socket.receive(Uint8Array.of(0xc1));
    expect(socket.closes).toEqual([{ code: CloseCode.policy, reason: expect.stringMatching(/^reading too slowly/) }]);
    socket.closed(CloseCode.abnormal);
    expect(sessions.releases).toEqual([{ session, keep: false }]);
  });
});

describe('DeviceConnection hello refusals', () => {
  it('a hello without the device scope is unauthorized and closed with 1008', () => {
    for (const token of ['viewer-token', 'no-such-token', undefined]) {
      const { socket, sessions } = connect({ auth: tokenAuth, conn: unauthenticated });
      socket.receive(hello('phone-1', token === undefined ? {} : { token }));
      expect(socket.errors().map((e) => e.code)).toEqual(['unauthorized']);
      expect(socket.closes).toEqual([{ code: CloseCode.policy, reason: 'unauthorized' }]);
      expect(sessions.opens).toHaveLength(0);
    }
  });

  it("a hello with a device token opens the session as that token's owner", () => {
    const { socket, sessions } = connect({ auth: tokenAuth, conn: unauthenticated });
    socket.receive(hello('phone-1', { token: 'device-token' }));
    expect(sessions.opens.map((o) => o.owner)).toEqual(['token-1']);
    expect(socket.messages()[0]!.type).toBe('welcome');
  });

  it("the upgrade's principal owns the session when the upgrade carried the token", () => {
    const { sessions } = connected({ auth: tokenAuth, conn: { id: 'ws-2', ip: '127.0.0.1', authenticated: true, principal: PRINCIPALS['device-token'] } });
    expect(sessions.opens.map((o) => o.owner)).toEqual(['token-1']);
  });

  it('no model to classify with: model-unavailable and 1013', () => {
    const { socket, sessions } = connect({ harUnavailable: 'no HAR model file' });
    socket.receive(hello());
    expect(socket.errors()).toEqual([expect.objectContaining({ code: 'model-unavailable', message: 'this server cannot classify activities: no HAR model file' })]);
    expect(socket.closes).toEqual([{ code: CloseCode.tryAgainLater, reason: 'HAR model unavailable' }]);
    expect(sessions.opens).toHaveLength(0);
  });

  it('a shedding server refuses new devices: overloaded and 1013', () => {
    const sessions = new FakeSessions();
    const shedder = new FakeShedder();
    shedder.overloaded = true;
    const { socket } = connect({ sessions, shedder });
    socket.receive(hello());
    expect(socket.errors().map((e) => e.code)).toEqual(['overloaded']);
    expect(socket.closes).toEqual([{ code: CloseCode.tryAgainLater, reason: 'server overloaded' }]);
    expect(sessions.opens).toHaveLength(0);
  });

  it("the store's refusal goes to the device: overloaded closes with 1013, id-in-use leaves the connection open", () => {
    const full = new FakeSessions();
    full.refuse = { code: 'overloaded', message: 'at most 200 devices' };
    const a = connect({ sessions: full });
    a.socket.receive(hello());
    expect(a.socket.errors()).toEqual([expect.objectContaining({ code: 'overloaded', message: 'at most 200 devices' })]);
    expect(a.socket.closes).toEqual([{ code: CloseCode.tryAgainLater, reason: 'too many devices' }]);

    const taken = new FakeSessions();
    taken.refuse = { code: 'id-in-use', message: 'taken' };
    const b = connect({ sessions: taken });
    b.socket.receive(hello());
    expect(b.socket.errors().map((e) => e.code)).toEqual(['id-in-use']);
    expect(b.socket.closes).toEqual([]);
    taken.refuse = undefined;
    b.socket.receive(hello('phone-2'));
    expect(b.socket.messages().at(-1)!.type).toBe('welcome');
  });

  it('a second hello on the same connection is a duplicate-hello', () => {
    const { socket, sessions } = connected();
    socket.receive(hello('phone-2'));
    expect(socket.errors().map((e) => e.code)).toEqual(['duplicate-hello']);
    expect(sessions.opens).toHaveLength(1);
  });

  it('a resumed session: welcome (resumed), then what the device missed since its lastWindowEnd', () => {
    const sessions = new FakeSessions();
    sessions.resumeNext = true;
    const { socket } = connect({ sessions });
    socket.receive(hello('phone-1', { lastWindowEnd: 1234 }));
    expect(socket.messages()).toEqual([expect.objectContaining({ type: 'welcome', resumed: true })]);
    expect(sessions.opened[0]!.missed).toEqual([1234]);
  });
});

describe('DeviceConnection samples', () => {
  it('hands samples frames to the session, counted, and pokes the load shedder per frame', () => {
    const { socket, session, stats, shedder } = connected();
    const frames = samples(3);
    for (const f of frames) socket.receive(f);
    expect(session.pushed).toEqual(frames);
    expect(stats.frames).toEqual([10, 10, 10]);
    expect(shedder.pokes).toBe(3);
    socket.receive({ type: 'calibration', action: 'start' });
    expect(session.calibrationCommands).toEqual([{ type: 'calibration', action: 'start' }]);
  });

  it("frames beyond the device's frame bucket are answered rate-limited and dropped", () => {
    const { socket, session, stats } = connected({ sessions: new FakeSessions({ burstFrames: 5 }) });
    for (const f of samples(7)) socket.receive(f);
    expect(session.pushed.map((f) => (f as { seq: number }).seq)).toEqual([0, 1, 2, 3, 4]);
    expect(socket.errors().map((e) => e.code)).toEqual(['rate-limited', 'rate-limited']);
    expect(stats.frames).toHaveLength(5);
  });

  it("samples beyond the device's sample bucket are answered rate-limited with the frame's seq", () => {
    const { socket, session } = connected({ sessions: new FakeSessions({ burstSamples: 25 }) });
    for (const f of samples(3)) socket.receive(f);
    expect(session.pushed).toHaveLength(2);
    expect(socket.errors()).toEqual([expect.objectContaining({ code: 'rate-limited', seq: 2 })]);
  });

  it("on a resumed session, a rate-limited frame's error names this connection's seq", async () => {
    // A real session that took frames 0-4 on an earlier connection: its pipeline seqs now go on from 5.
    const opened = DeviceSession.open(hello(), fakeSessionDeps().deps, new FakeDeviceEnd().opts);
    if (!opened.ok) throw new Error(opened.error.message);
    for (const f of samples(5)) opened.session.push(f, performance.now());
    await settle();
    opened.session.detach();
    const sessions = new FakeSessions({ burstSamples: 25 });
    sessions.resumes = opened.session;
    const { socket } = connect({ sessions });
    socket.receive(hello());
    for (const f of samples(3, { fromSample: 50 })) socket.receive(f);
    await opened.session.close();
    expect(socket.errors()).toEqual([expect.objectContaining({ code: 'rate-limited', seq: 2 })]);
  });

  it('a reconnect does not refill the buckets (they belong to the device id)', () => {
    const sessions = new FakeSessions({ burstFrames: 3 });
    const first = connected({ sessions });
    for (const f of samples(3)) first.socket.receive(f);
    first.socket.closed(CloseCode.abnormal);
    const second = connect({ sessions });
    second.socket.receive(hello());
    second.socket.receive(samples(1)[0]!);
    expect(second.socket.errors().map((e) => e.code)).toEqual(['rate-limited']);
    expect(sessions.opened[1]!.pushed).toHaveLength(0);
  });
});

describe('DeviceConnection in a cluster (a hello looks for the session on other gateways)', () => {
  function deferred<T>() {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
  }
  const snapshot = { deviceId: 'phone-1', owner: 'open', units: 'g', rateHz: 50, gatewayId: 'gw-b', savedAt: 1, held: [] };

  it('holds the frames that arrive meanwhile and hands them over once the session is open', async () => {
    const sessions = new FakeSessions();
    const lookup = deferred<typeof snapshot | undefined>();
    sessions.findElsewhere = () => lookup.promise;
    const { socket } = connect({ sessions });
    socket.receive(hello('phone-1', { lastWindowEnd: 180 }));
    const frames = samples(3);
    for (const f of frames) socket.receive(f);
    expect(sessions.opens).toHaveLength(0);
    expect(socket.sent).toHaveLength(0);
    lookup.resolve(snapshot);
    await settle();
    expect(sessions.opens.map((o) => o.elsewhere)).toEqual([snapshot]);
    expect(socket.messages()).toEqual([expect.objectContaining({ type: 'welcome', resumed: true })]);
    expect(sessions.opened[0]!.missed).toEqual([180]);
    expect(sessions.opened[0]!.pushed).toEqual(frames);
  });

  it('holds a bounded number of frames: more are dropped', async () => {
    const sessions = new FakeSessions();
    const lookup = deferred<undefined>();
    sessions.findElsewhere = () => lookup.promise;
    const { socket } = connect({ sessions });
    socket.receive(hello());
    for (const f of samples(100)) socket.receive(f);
    lookup.resolve(undefined);
    await settle();
    expect(sessions.opened[0]!.pushed).toHaveLength(64);
    expect(sessions.opens[0]!.elsewhere).toBeUndefined();
  });

  it('a failed lookup starts a fresh session; a socket closed meanwhile opens none', async () => {
    const sessions = new FakeSessions();
    const failing = deferred<undefined>();
    sessions.findElsewhere = () => failing.promise;
    const a = connect({ sessions });
    a.socket.receive(hello('phone-1'));
    failing.reject(new Error('bus down'));
    await settle();
    expect(sessions.opens.map((o) => [o.hello.deviceId, o.elsewhere])).toEqual([['phone-1', undefined]]);
    expect(a.socket.messages()[0]).toMatchObject({ type: 'welcome' });

    const slow = deferred<undefined>();
    sessions.findElsewhere = () => slow.promise;
    const b = connect({ sessions });
    b.socket.receive(hello('phone-2'));
    b.socket.closed(CloseCode.abnormal);
    slow.resolve(undefined);
    await settle();
    expect(sessions.opens).toHaveLength(1);
    expect(sessions.releases).toEqual([]);
  });
});

describe('DeviceConnection close', () => {
  it('1006 (no close frame: a dropped link) keeps the session for a reconnect', () => {
    const { socket, session, sessions } = connected();
    socket.closed(CloseCode.abnormal);
    expect(sessions.releases).toEqual([{ session, keep: true }]);
  });

  it.each([CloseCode.normal, CloseCode.goingAway, CloseCode.textIdle])('a clean close (%i) ends the session', (code) => {
    const { socket, session, sessions } = connected();
    socket.closed(code);
    expect(sessions.releases).toEqual([{ session, keep: false }]);
  });

  it('after the server closed it (policy) or a protocol error, even 1006 ends the session', () => {
    const a = connected();
    a.session.connection!.onCrash!(new Error('stage failed'));
    expect(a.socket.closes).toEqual([{ code: CloseCode.internalError, reason: 'internal error' }]);
    a.socket.closed(CloseCode.abnormal);
    expect(a.sessions.releases.map((r) => r.keep)).toEqual([false]);

    const b = connected();
    b.socket.emit('error', new Error('Max payload size exceeded'));
    b.socket.closed(CloseCode.abnormal);
    expect(b.sessions.releases.map((r) => r.keep)).toEqual([false]);
  });

  it('a connection closed before its hello releases nothing', () => {
    const { socket, sessions } = connect();
    socket.closed(CloseCode.abnormal);
    expect(sessions.releases).toEqual([]);
  });

  it('a device that leaves is no candidate for shedding any more', () => {
    const { socket, shedder } = connected();
    expect(shedder.tracked.size).toBe(1);
    socket.closed(CloseCode.abnormal);
    expect(shedder.tracked.size).toBe(0);
  });

  it('a streaming device puts itself forward for shedding; shed, it is told why, closed with 1013, and cut if it does not answer the close', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { socket, session, sessions, shedder } = connected();
    expect([...shedder.tracked].map((d) => d.connectedAt)).toEqual([session.connectedAt]);
    shedder.shedAll('the server is overloaded: try again later');
    expect(shedder.tracked.size).toBe(0); // not a candidate again
    expect(socket.errors()).toEqual([expect.objectContaining({ code: 'overloaded', message: 'the server is overloaded: try again later' })]);
    expect(socket.closes).toEqual([{ code: CloseCode.tryAgainLater, reason: 'server overloaded' }]);
    vi.advanceTimersByTime(1000);
    expect(socket.terminated).toBe(true);
    // Frames still in flight are not decoded any more.
    socket.readyState = socket.OPEN;
    socket.receive(samples(1)[0]!);
    expect(session.pushed).toHaveLength(0);
    socket.closed(CloseCode.abnormal);
    expect(sessions.releases.map((r) => r.keep)).toEqual([false]);
  });
});
