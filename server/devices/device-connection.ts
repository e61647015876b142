// The /ws/device protocol on one WebSocket: `hello` first, then `samples` frames (JSON text or
// msgpack binary; replies use the encoding of the device's latest frame). Every problem is
// answered with a typed `error` frame and affects only this connection.
import type { RawData, WebSocket } from 'ws';
import { decodeFrame, encodeFrame, type Encoding } from '../../protocol/codec.js';
import type { ErrorCode, ServerToDevice } from '../../protocol/sensor-messages.js';
import { messageType, validateHello } from '../../protocol/validate-sensor.js';
import type { ServerContext } from '../context.js';
import { rawDataBytes } from '../ws/raw-data.js';
import { sendOrDrop } from '../ws/send-or-drop.js';
import { DeviceSession } from './device-session.js';
import { TokenBucket } from './token-bucket.js';

/** WebSocket close codes used here (1009 for oversize frames comes from ws itself). */
export const CLOSE = { policy: 1008, tryAgainLater: 1013, internal: 1011 } as const;

export class DeviceConnection {
  private session: DeviceSession | undefined;
  private encoding: Encoding = 'json';
  private readonly samples: TokenBucket;
  private readonly errorReplies: TokenBucket;
  private helloTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly ctx: ServerContext,
  ) {
    const { rateLimit } = ctx.config;
    this.samples = new TokenBucket(rateLimit.samplesPerSec, rateLimit.burstSamples);
    this.errorReplies = new TokenBucket(rateLimit.errorsPerSec, rateLimit.errorsPerSec * 2);
    this.helloTimer = setTimeout(() => this.ws.close(CLOSE.policy, `no valid hello within ${ctx.config.helloTimeoutMs} ms`), ctx.config.helloTimeoutMs);
    ws.on('message', (data, isBinary) => {
      try {
        this.onMessage(data, isBinary);
      } catch (err) {
        // A bug must cost this connection at most, never the process.
        this.error('internal', `the server failed to handle this frame: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
    ws.on('close', () => this.onClose());
    ws.on('error', () => {}); // protocol errors (e.g. 1009) also close the socket; nothing else to do
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const receivedAt = performance.now();
    this.encoding = isBinary ? 'msgpack' : 'json';
    const decoded = decodeFrame(rawDataBytes(data), isBinary);
    if (!decoded.ok) return this.error('bad-frame', decoded.error);
    const type = messageType(decoded.value);
    if (!type.ok) return this.error(type.error.code, type.error.message);
    if (type.value === 'hello') return this.onHello(decoded.value);
    if (type.value !== 'samples') return this.error('invalid', `unknown message type "${type.value.slice(0, 40)}"; devices send hello, then samples`);
    if (!this.session) return this.error('not-hello', 'send a hello message before samples');
    const frame = decoded.value as { t?: unknown; seq?: unknown };
    const n = sampleCount(frame.t);
    if (!this.samples.take(n)) {
      const seq = typeof frame.seq === 'number' ? frame.seq : undefined;
      return this.error('rate-limited', `more than ${this.ctx.config.rateLimit.samplesPerSec} samples/s: frame dropped`, seq);
    }
    this.ctx.stats.recordFrame(n);
    this.session.push(decoded.value, receivedAt);
  }

  private onHello(value: unknown): void {
    if (this.session) return this.error('duplicate-hello', `this connection already said hello as '${this.session.info.deviceId}'`);
    const hello = validateHello(value, this.ctx.config.limits);
    if (!hello.ok) return this.error(hello.error.code, hello.error.message);
    const token = this.ctx.config.authToken;
    if (token !== undefined && hello.value.token !== token) {
      this.error('unauthorized', 'a valid token is required');
      this.ws.close(CLOSE.policy, 'unauthorized');
      return;
    }
    const opened = DeviceSession.open(hello.value, this.ctx, {
      send: (m) => this.send(m),
      onCrash: () => this.ws.close(CLOSE.internal, 'internal error'),
    });
    if (!opened.ok) {
      this.error(opened.error.code, opened.error.message);
      if (opened.error.code === 'overloaded') this.ws.close(CLOSE.tryAgainLater, 'too many devices');
      return;
    }
    clearTimeout(this.helloTimer);
    this.session = opened.session;
    this.send(opened.session.welcome());
  }

  private onClose(): void {
    clearTimeout(this.helloTimer);
    void this.session?.close();
  }

  private error(code: ErrorCode, message: string, seq?: number): void {
    if (this.session) return this.session.sendError(code, message, seq); // counts it, then comes back through send()
    this.ctx.stats.recordError(code);
    this.send(seq === undefined ? { type: 'error', code, message } : { type: 'error', code, message, seq });
  }

  private send(message: ServerToDevice): void {
    if (message.type === 'error' && !this.errorReplies.take()) return; // counted in stats, not sent
    sendOrDrop(this.ws, encodeFrame(message, this.encoding), this.ctx.config.maxBufferedBytes);
  }
}

/** Samples a frame claims to carry, for rate limiting before validation (bytes: float64 t). */
function sampleCount(t: unknown): number {
  if (Array.isArray(t)) return t.length;
  if (ArrayBuffer.isView(t)) return t instanceof Uint8Array ? Math.floor(t.byteLength / 8) : (t as unknown as ArrayLike<number>).length;
  return 0;
}
