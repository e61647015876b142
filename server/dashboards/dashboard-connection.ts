// One viewer on /ws/dashboard: it subscribes to all devices ('*') or some, then receives the
// device list, those devices' predictions and signal, and periodic stats. A viewer that reads
// too slowly loses messages instead of making the server buffer them.
import type { RawData, WebSocket } from 'ws';
import { decodeFrame, encodeFrame, type Encoding } from '../../protocol/codec.js';
import type { ErrorCode, ServerToDashboard } from '../../protocol/sensor-messages.js';
import { messageType, validateSubscribe } from '../../protocol/validate-sensor.js';
import { TokenBucket } from '../devices/token-bucket.js';
import { rawDataBytes } from '../ws/raw-data.js';
import { sendOrDrop } from '../ws/send-or-drop.js';

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
  authToken?: string;
  errorsPerSec: number;
  /** Called after a (re)subscription so the hub can send the current device list. */
  onSubscribe: (dashboard: DashboardConnection) => void;
  onClose: (dashboard: DashboardConnection) => void;
}

export class DashboardConnection {
  /** undefined until the first valid subscribe. */
  private filter: '*' | Set<string> | undefined;
  private encoding: Encoding = 'json';
  private readonly errorReplies: TokenBucket;
  /** Messages dropped because the socket was too far behind. */
  dropped = 0;
  /** A device list was dropped: resend the current one when the socket catches up. */
  devicesStale = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly opts: DashboardConnectionOptions,
  ) {
    this.errorReplies = new TokenBucket(opts.errorsPerSec, opts.errorsPerSec * 2);
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

  get subscribed(): boolean {
    return this.filter !== undefined;
  }

  watches(deviceId: string): boolean {
    return this.filter === '*' || (this.filter !== undefined && this.filter.has(deviceId));
  }

  /** Sends unless the socket is too far behind; returns whether it was sent. */
  send(message: OutgoingMessage): boolean {
    const sent = sendOrDrop(this.ws, message.encoded(this.encoding), this.opts.maxBufferedBytes);
    if (!sent) {
      this.dropped++;
      if (message.message.type === 'devices') this.devicesStale = true;
    }
    return sent;
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.encoding = isBinary ? 'msgpack' : 'json';
    const decoded = decodeFrame(rawDataBytes(data), isBinary);
    if (!decoded.ok) return this.error('bad-frame', decoded.error);
    const type = messageType(decoded.value);
    if (!type.ok) return this.error(type.error.code, type.error.message);
    if (type.value !== 'subscribe') return this.error('invalid', `unknown message type "${type.value.slice(0, 40)}"; dashboards send subscribe`);
    const sub = validateSubscribe(decoded.value);
    if (!sub.ok) return this.error(sub.error.code, sub.error.message);
    if (this.opts.authToken !== undefined && sub.value.token !== this.opts.authToken) return this.error('unauthorized', 'a valid token is required');
    this.filter = sub.value.devices === '*' ? '*' : new Set(sub.value.devices);
    this.opts.onSubscribe(this);
  }

  private error(code: ErrorCode, message: string): void {
    if (this.errorReplies.take()) this.send(new OutgoingMessage({ type: 'error', code, message }));
  }
}
