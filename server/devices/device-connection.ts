// The /ws/device protocol on one WebSocket: `hello` first, then `samples` frames (JSON text or
// msgpack binary; replies use the encoding of the device's latest frame). Every problem is
// answered with a typed `error` frame and affects only this connection.
import type { RawData, WebSocket } from 'ws';
import { CloseCode } from '../../protocol/close-codes.js';
import { decodeFrame, encodeFrame, type Encoding } from '../../protocol/codec.js';
import { deviceFrameShape, type FrameShapeLimits } from '../../protocol/frame-guard.js';
import type { ErrorCode, HelloMessage, ServerToDevice } from '../../protocol/sensor-messages.js';
import type { SessionSnapshot } from '../cluster/session-directory.js';
import { messageType, validateHello } from '../../protocol/validate-sensor.js';
import type { ServerConfig } from '../config.js';
import type { Log } from '../log.js';
import type { Auth } from '../security/auth.js';
import type { ConnectionInfo } from '../ws/upgrade-router.js';
import { rawDataBytes } from '../ws/raw-data.js';
import { PreAuthFrames } from '../security/pre-auth-frames.js';
import { OPEN_PRINCIPAL } from '../security/auth.js';
import { SocketOutbox } from '../ws/outbox.js';
import { ReadBudget } from '../ws/read-budget.js';
import type { DeviceSession } from './device-session.js';
import type { LoadShedder } from './load-shedder.js';
import { framesPerSecond, type SessionStore } from './session-store.js';
import { TokenBucket } from '../../lib/token-bucket.js';
import type { DeviceRateLimits } from './device-rate-limits.js';

/** What a device connection needs; each a narrow piece, so tests can fake it. */
export interface DeviceConnectionDeps {
  sessions: {
    open: SessionStore['open'];
    release: SessionStore['release'];
    /** In a cluster: the session another gateway held for this device (absent: no cluster). */
    findElsewhere?: SessionStore['findElsewhere'];
    readonly rateLimits: Pick<DeviceRateLimits, 'of'>;
  };
  /** Load shedding: poked per frame; refuses hellos while overloaded; may shed this device once it streams. */
  shedder: Pick<LoadShedder, 'poke' | 'overloaded' | 'track'>;
  auth: Pick<Auth, 'required' | 'identify'>;
  stats: { recordFrame(samples: number): void; recordError(code: ErrorCode): void };
  log: Log;
  /** Why devices are refused (no model to classify with), or undefined. */
  harUnavailable(): string | undefined;
  config: Pick<ServerConfig, 'rateLimit' | 'limits' | 'preAuth' | 'maxBufferedBytes' | 'slowConsumerMs' | 'helloTimeoutMs'>;
}

/**
 * Bytes per second a device connection may have decoded, per sample/s of its rate limit: 320 B is
 * ~3x the largest JSON sample (t, x, y, z at full precision and a label, ~110 B), so 128 KB/s at
 * the default 400 samples/s (a 200 Hz phone sends ~12 KB/s); lifting the sample limit lifts it.
 */
export const BYTES_PER_SAMPLE_BUDGET = 320;

/** Frames (and bytes) kept while a hello waits for the cluster's session directory (a few ms); more are dropped. */
const MAX_FRAMES_WHILE_RESUMING = 64;
const MAX_BYTES_WHILE_RESUMING = 256 * 1024;

/** How long a shed device's close handshake may take before its socket is cut, ms. */
const SHED_CLOSE_WAIT_MS = 1000;

export class DeviceConnection {
  private session: DeviceSession | undefined;
  private encoding: Encoding = 'json';
  /** Frames before the hello; after it, the device's own buckets (by id: a reconnect does not refill them). */
  private readonly frames: TokenBucket;
  private readonly errorReplies: TokenBucket;
  private readonly outbox: SocketOutbox;
  private helloTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly framesPerSec: number;
  /** The server ended this connection (policy, protocol error, too slow): the session ends with it. */
  private closedByServer = false;
  /** Until a hello brings the token (none at the upgrade): few, small frames. */
  private readonly preAuth: PreAuthFrames | undefined;
  /** Bytes decoded per second (before any decoding: a flood of large frames costs its budget only). */
  private readonly readBudget: ReadBudget;
  private readonly frameShape: FrameShapeLimits;
  /** Set while a hello waits for the cluster's session directory: frames that arrive meanwhile. */
  private heldFrames: { data: RawData; isBinary: boolean }[] | undefined;
  private heldBytes = 0;
  /** Takes this connection out of the load shedder's candidates (set while its session streams). */
  private untrackShedding: (() => void) | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: DeviceConnectionDeps,
    private readonly conn: ConnectionInfo = { id: 'ws-?', ip: 'unknown', authenticated: !deps.auth.required },
  ) {
    const { config, log } = deps;
    const { rateLimit } = config;
    this.framesPerSec = framesPerSecond(rateLimit);
    this.frames = new TokenBucket(this.framesPerSec, this.framesPerSec * 2);
    this.errorReplies = new TokenBucket(rateLimit.errorsPerSec, rateLimit.errorsPerSec * 2);
    const bytesPerSec = rateLimit.bytesPerSec ?? rateLimit.samplesPerSec * BYTES_PER_SAMPLE_BUDGET;
    this.readBudget = new ReadBudget(ws, { bytesPerSec, burstBytes: Math.max(config.limits.maxFrameBytes, 2 * bytesPerSec) });
    this.frameShape = deviceFrameShape(config.limits.maxSamplesPerFrame);
    if (!conn.authenticated) this.preAuth = new PreAuthFrames(config.preAuth, 'hello', ws);
    this.outbox = new SocketOutbox(ws, {
      maxBufferedBytes: config.maxBufferedBytes,
      slowConsumerMs: config.slowConsumerMs,
      onCut: () => {
        this.closedByServer = true;
        log.info({ conn: conn.id, deviceId: this.session?.info.deviceId }, 'device cut: it does not read its predictions');
      },
    });
    this.helloTimer = setTimeout(() => this.closeWith(CloseCode.policy, `no valid hello within ${config.helloTimeoutMs} ms`), config.helloTimeoutMs);
    ws.on('message', (data, isBinary) => {
      if (this.heldFrames) {
        const bytes = rawDataBytes(data).byteLength;
        if (this.heldFrames.length < MAX_FRAMES_WHILE_RESUMING && this.heldBytes + bytes <= MAX_BYTES_WHILE_RESUMING) {
          this.heldFrames.push({ data, isBinary });
          this.heldBytes += bytes;
        }
        return;
      }
      this.handle(data, isBinary);
    });
    ws.on('close', (code) => this.onClose(code));
    // Protocol errors (e.g. 1009, frame too big) close the socket; the session ends with it.
    ws.on('error', () => (this.closedByServer = true));
  }

  private handle(data: RawData, isBinary: boolean): void {
    try {
      this.onMessage(data, isBinary);
    } catch (err) {
      // A bug must cost this connection at most, never the process.
      this.deps.log.error({ conn: this.conn.id, err }, 'device frame handler failed');
      this.error('internal', `the server failed to handle this frame: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    // The server is ending this connection (shed, policy, too slow): what still arrives until the
    // close handshake completes is not worth decoding — a shed device must cost nothing more.
    if (this.closedByServer) return;
    const receivedAt = performance.now();
    this.encoding = isBinary ? 'msgpack' : 'json';
    const device = this.session && this.deps.sessions.rateLimits.of(this.session.info.deviceId);
    if (!(device?.frames ?? this.frames).take()) return this.error('rate-limited', `more than ${Math.round(this.framesPerSec)} frames/s: frame dropped (send fewer, larger frames)`);
    // ws has checked a text frame's UTF-8 already: a Buffer's toString is all it needs (no TextDecoder per frame).
    const bytes = rawDataBytes(data);
    const refusal = this.session ? undefined : this.preAuth?.admit(bytes.byteLength);
    if (refusal) return this.closeWith(refusal.code, refusal.reason);
    if (!this.readBudget.admit(bytes.byteLength)) return this.error('rate-limited', `more than ${this.readBudget.limits.bytesPerSec} bytes/s: frame dropped, reading paused`);
    const decoded = decodeFrame(isBinary ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), isBinary, this.frameShape);
    if (!decoded.ok) return this.error('bad-frame', decoded.error);
    const type = messageType(decoded.value);
    if (!type.ok) return this.error(type.error.code, type.error.message);
    if (type.value === 'hello') return this.onHello(decoded.value);
    if (type.value === 'calibration') return this.session ? this.session.calibration.command(decoded.value) : this.error('not-hello', 'send a hello message before calibration');
    if (type.value !== 'samples') return this.error('invalid', `unknown message type "${type.value.slice(0, 40)}"; devices send hello, then samples`);
    if (!this.session || !device) return this.error('not-hello', 'send a hello message before samples');
    this.deps.shedder.poke(receivedAt);
    const frame = decoded.value as { t?: unknown; seq?: unknown };
    const n = sampleCount(frame.t);
    if (!device.samples.take(n)) {
      const seq = typeof frame.seq === 'number' ? frame.seq : undefined;
      return this.error('rate-limited', `more than ${this.deps.config.rateLimit.samplesPerSec} samples/s: frame dropped`, seq);
    }
    this.deps.stats.recordFrame(n);
    this.session.push(decoded.value, receivedAt);
  }

  private onHello(value: unknown): void {
    if (this.session) return this.error('duplicate-hello', `this connection already said hello as '${this.session.info.deviceId}'`);
    const hello = validateHello(value, this.deps.config.limits);
    if (!hello.ok) return this.error(hello.error.code, hello.error.message);
    // Whose device this is (the upgrade's token, else the hello's): it needs the device scope, and only it may resume the session.
    const owner = this.conn.authenticated ? (this.conn.principal ?? OPEN_PRINCIPAL) : this.deps.auth.identify(hello.value.token);
    if (!owner?.scopes.has('device')) {
      this.error('unauthorized', 'a valid token with the device scope is required (hello.token, Authorization: Bearer, or ?token=)');
      this.closeWith(CloseCode.policy, 'unauthorized');
      return;
    }
    const harUnavailable = this.deps.harUnavailable();
    if (harUnavailable) {
      this.error('model-unavailable', `this server cannot classify activities: ${harUnavailable}`);
      this.closeWith(CloseCode.tryAgainLater, 'HAR model unavailable');
      return;
    }
    if (this.deps.shedder.overloaded) {
      this.error('overloaded', 'the server is overloaded and sheds devices: try again later');
      this.closeWith(CloseCode.tryAgainLater, 'server overloaded');
      return;
    }
    // In a cluster, a device new here may come from a gateway that went away: its session continues.
    const lookup = this.deps.sessions.findElsewhere?.(hello.value.deviceId);
    if (!lookup) return this.openSession(hello.value, owner.id);
    this.heldFrames = [];
    void lookup
      .catch(() => undefined)
      .then((elsewhere) => {
        const held = this.heldFrames ?? [];
        this.heldFrames = undefined;
        this.heldBytes = 0;
        if (this.ws.readyState !== this.ws.OPEN || this.closedByServer) return;
        try {
          this.openSession(hello.value, owner.id, elsewhere);
        } catch (err) {
          this.deps.log.error({ conn: this.conn.id, err }, 'device hello failed');
          this.error('internal', `the server failed to start the session: ${err instanceof Error ? err.message : String(err)}`);
        }
        for (const f of held) this.handle(f.data, f.isBinary);
      });
  }

  private openSession(hello: HelloMessage, owner: string, elsewhere?: SessionSnapshot): void {
    const opened = this.deps.sessions.open(
      hello,
      {
        send: (m) => this.send(m),
        onCrash: () => this.closeWith(CloseCode.internalError, 'internal error'),
      },
      owner,
      elsewhere,
    );
    if (!opened.ok) {
      this.error(opened.error.code, opened.error.message);
      if (opened.error.code === 'overloaded') this.closeWith(CloseCode.tryAgainLater, 'too many devices');
      return;
    }
    clearTimeout(this.helloTimer);
    this.session = opened.session;
    this.untrackShedding = this.deps.shedder.track({ connectedAt: opened.session.connectedAt, shed: (reason) => this.shed(reason) });
    this.preAuth?.lift(); // full-size frames from now on
    this.deps.log.info({ conn: this.conn.id, ip: this.conn.ip, deviceId: hello.deviceId, resumed: opened.resumed, source: hello.source }, 'device connected');
    this.send(opened.session.welcome(opened.resumed));
    if (opened.resumed) opened.session.deliverMissed(hello.lastWindowEnd);
  }

  /** The server sheds this device to stay within capacity (load-shedder.ts): tell it why, then close. */
  private shed(reason: string): void {
    this.untrackShedding?.();
    this.error('overloaded', reason);
    this.closeWith(CloseCode.tryAgainLater, 'server overloaded');
    // An overloaded server reads the device's close reply late (behind its queued frames): don't wait for it.
    setTimeout(() => this.ws.terminate(), SHED_CLOSE_WAIT_MS).unref();
  }

  private onClose(code: number): void {
    clearTimeout(this.helloTimer);
    this.untrackShedding?.();
    if (!this.session) return;
    this.deps.log.info({ conn: this.conn.id, deviceId: this.session.info.deviceId, code }, 'device disconnected');
    // A close frame means the device is done; 1006 (no close frame: network lost, phone asleep,
    // heartbeat cut) may be a dropped link, so the session waits for the device to come back.
    this.deps.sessions.release(this.session, { keep: code === CloseCode.abnormal && !this.closedByServer });
  }

  private closeWith(code: CloseCode, reason: string): void {
    this.closedByServer = true;
    this.ws.close(code, reason);
  }

  private error(code: ErrorCode, message: string, seq?: number): void {
    // Not through session.sendError: `seq` is this connection's own, which a resumed session would shift.
    this.deps.stats.recordError(code);
    this.send(seq === undefined ? { type: 'error', code, message } : { type: 'error', code, message, seq });
  }

  /** False when the socket is no longer open (the session then holds predictions for a reconnect). */
  private send(message: ServerToDevice): boolean {
    if (this.ws.readyState !== this.ws.OPEN) return false;
    if (message.type === 'error' && !this.errorReplies.take()) return true; // counted in stats, not sent
    this.outbox.send(encodeFrame(message, this.encoding));
    return true;
  }
}

/** Samples a frame claims to carry, for rate limiting before validation (bytes: float64 t). */
function sampleCount(t: unknown): number {
  if (Array.isArray(t)) return t.length;
  if (ArrayBuffer.isView(t)) return t instanceof Uint8Array ? Math.floor(t.byteLength / 8) : (t as unknown as ArrayLike<number>).length;
  return 0;
}
