// One viewer on /ws/dashboard: it subscribes to all devices ('*') or some, then receives the
// device list, those devices' predictions and signal, and periodic stats. A viewer that reads
// too slowly loses messages instead of making the server buffer them.
import type { RawData, WebSocket } from 'ws';
import { CloseCode } from '../../protocol/close-codes.js';
import { decodeFrame, encodeFrame, type Encoding } from '../../protocol/codec.js';
import { DASHBOARD_FRAME_SHAPE } from '../../protocol/frame-guard.js';
import type { ErrorCode, ServerToDashboard } from '../../protocol/sensor-messages.js';
import { messageType, validateSubscribe } from '../../protocol/validate-sensor.js';
import { TokenBucket } from '../../lib/token-bucket.js';
import type { Auth } from '../security/auth.js';
import { PreAuthFrames } from '../security/pre-auth-frames.js';
import { SocketOutbox } from '../ws/outbox.js';
import { rawDataBytes } from '../ws/raw-data.js';
import { ReadBudget, type ReadBudgetLimits } from '../ws/read-budget.js';

/** A dashboard sends a subscribe now and then (at most 1000 ids, ~40 KB): 64 KB/s, bursts of 128 KB. */
export const DASHBOARD_READ_BUDGET: ReadBudgetLimits = { bytesPerSec: 64 * 1024, burstBytes: 128 * 1024 };

/** A message encoded at most once per encoding, however many dashboards receive it. */
export class OutgoingMessage {
  private json: string | undefined;
  private msgpack: Uint8Array | undefined;

  constructor(readonly message: ServerToDashboard) {}

  encoded(encoding: Encoding): string | Uint8Array {
    if (encoding === 'json') return (this.json ??= encodeFrame(this.message, 'json') as string);
    return (this.msgpack ??= encodeFrame(this.message, 'msgpack') as Uint8Array);
  }
}

export interface DashboardConnectionOptions {
  maxBufferedBytes: number;
  /** Disconnect a dashboard that cannot be written to for this long, ms. */
  slowConsumerMs: number;
  auth?: Auth;
  /** The upgrade carried a valid token already (else the subscribe message must). */
  authenticated?: boolean;
  /** Until the token comes: frames decoded at most, and their largest size. */
  preAuth?: { maxFrames: number; maxFrameBytes: number };
  errorsPerSec: number;
  /** Messages a dashboard may send per second (it only needs a few subscribes). */
  framesPerSec?: number;
  /** Bytes a dashboard may have decoded per second (default DASHBOARD_READ_BUDGET). */
  readBudget?: ReadBudgetLimits;
  /** Close a dashboard that has not subscribed (with its token) within this time, ms. */
  subscribeTimeoutMs?: number;
  /** A subscribe brought a valid token: may this dashboard take an authenticated slot? (False: closed 1013 with `reason`.) */
  onAuthenticated?: (dashboard: DashboardConnection) => { ok: true } | { ok: false; reason: string };
  /** Called after a (re)subscription so the hub can send the current device list. */
  onSubscribe: (dashboard: DashboardConnection) => void;
  onClose: (dashboard: DashboardConnection) => void;
}

export class DashboardConnection {
  /** undefined until the first valid subscribe. */
  private filter: '*' | Set<string> | undefined;
  private encoding: Encoding = 'json';
  private readonly errorReplies: TokenBucket;
  private readonly frames: TokenBucket;
  private readonly readBudget: ReadBudget;
  private readonly outbox: SocketOutbox;
  private authenticated: boolean;
  /** Set while the token is still to come: frames are few and small until then. */
  private preAuthFrames: PreAuthFrames | undefined;
  /** A device list was dropped: resend the current one when the socket catches up. */
  devicesStale = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly opts: DashboardConnectionOptions,
  ) {
    this.errorReplies = new TokenBucket(opts.errorsPerSec, opts.errorsPerSec * 2);
    const fps = opts.framesPerSec ?? 10;
    this.frames = new TokenBucket(fps, fps * 2);
    this.readBudget = new ReadBudget(ws, opts.readBudget ?? DASHBOARD_READ_BUDGET);
    this.outbox = new SocketOutbox(ws, { maxBufferedBytes: opts.maxBufferedBytes, slowConsumerMs: opts.slowConsumerMs });
    this.authenticated = opts.authenticated ?? !opts.auth?.required;
    if (!this.authenticated && opts.preAuth) this.preAuthFrames = new PreAuthFrames(opts.preAuth, 'subscribe', ws);
    const timer =
      opts.subscribeTimeoutMs === undefined
        ? undefined
        : setTimeout(() => this.subscribed || ws.close(CloseCode.policy, `no valid subscribe within ${opts.subscribeTimeoutMs} ms`), opts.subscribeTimeoutMs);
    timer?.unref();
    ws.on('close', () => clearTimeout(timer));
    ws.on('message', (data, isBinary) => {
      try {
        this.onMessage(data, isBinary);
      } catch (err) {
        this.error('internal', `the server failed to handle this message: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
    ws.on('close', () => opts.onClose(this));
    ws.on('error', () => {});
  }

  /** Showed a valid token (at the upgrade or in a subscribe), or none is needed. */
  get isAuthenticated(): boolean {
    return this.authenticated;
  }

  get subscribed(): boolean {
    return this.filter !== undefined;
  }

  /** What it subscribed to: every device, some, or nothing yet. */
  get watching(): '*' | ReadonlySet<string> | undefined {
    return this.filter;
  }

  watches(deviceId: string): boolean {
    return this.filter === '*' || (this.filter !== undefined && this.filter.has(deviceId));
  }

  /** Messages dropped because the socket was too far behind. */
  get dropped(): number {
    return this.outbox.dropped;
  }

  /** Sends unless the socket is too far behind; returns whether it was sent. */
  send(message: OutgoingMessage): boolean {
    const sent = this.outbox.send(message.encoded(this.encoding));
    if (!sent && message.message.type === 'devices') this.devicesStale = true;
    return sent;
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.encoding = isBinary ? 'msgpack' : 'json';
    const bytes = rawDataBytes(data);
    const refusal = this.preAuthFrames?.admit(bytes.byteLength);
    if (refusal) return this.ws.close(refusal.code, refusal.reason);
    if (!this.frames.take()) return this.error('rate-limited', 'too many messages: dashboards send a subscribe now and then');
    if (!this.readBudget.admit(bytes.byteLength)) return this.error('rate-limited', `more than ${this.readBudget.limits.bytesPerSec} bytes/s: message dropped, reading paused`);
    const decoded = decodeFrame(bytes, isBinary, DASHBOARD_FRAME_SHAPE);
    if (!decoded.ok) return this.error('bad-frame', decoded.error);
    const type = messageType(decoded.value);
    if (!type.ok) return this.error(type.error.code, type.error.message);
    if (type.value !== 'subscribe') return this.error('invalid', `unknown message type "${type.value.slice(0, 40)}"; dashboards send subscribe`);
    const sub = validateSubscribe(decoded.value);
    if (!sub.ok) return this.error(sub.error.code, sub.error.message);
    if (!this.authenticated) {
      if (this.opts.auth && !this.opts.auth.grants(sub.value.token, 'viewer')) {
        this.error('unauthorized', 'a valid token with the viewer scope is required (subscribe.token, Authorization: Bearer, or ?token=)');
        this.ws.close(CloseCode.policy, 'unauthorized');
        return;
      }
      const slot = this.opts.onAuthenticated?.(this) ?? { ok: true };
      if (!slot.ok) return this.ws.close(CloseCode.tryAgainLater, slot.reason);
      this.authenticated = true;
      this.preAuthFrames?.lift();
      this.preAuthFrames = undefined;
    }
    this.filter = sub.value.devices === '*' ? '*' : new Set(sub.value.devices);
    this.opts.onSubscribe(this);
  }

  private error(code: ErrorCode, message: string): void {
    if (this.errorReplies.take()) this.send(new OutgoingMessage({ type: 'error', code, message }));
  }
}
