// A WebSocket to the Sensorium server that speaks protocol/codec.ts frames and reconnects with
// backoff. Pages give it a path (/ws/device, /ws/dashboard, /ws/text) and handle decoded messages.
// Given several servers (gateways, net/servers.ts), a connection that drops or fails to open is
// retried on the next one (protocol/server-rotation.ts: round-robin, backoff, jitter).
import { CloseCode } from '../../../protocol/close-codes.js';
import { decodeFrame, encodeFrame, type Encoding } from '../../../protocol/codec.js';
import { ServerRotation } from '../../../protocol/server-rotation.js';
import { ownServer, serverLabel } from './servers.js';

export type SocketState = 'connecting' | 'open' | 'closed';

export interface SocketHandlers {
  /** Called on every (re)connection, before any message: send hello/subscribe here. */
  onOpen?(socket: ServerSocket): void;
  onMessage(message: unknown): void;
  onState?(state: SocketState, detail: string): void;
  /** A frame that could not be decoded (kept separate so pages can show it, not crash). */
  onDecodeError?(error: string): void;
}

export interface SocketOptions {
  encoding?: Encoding;
  /** Reconnect after an unexpected close (default true). */
  reconnect?: boolean;
  maxBackoffMs?: number;
  /** ws(s):// origins to use in turn (default: the page's own). */
  servers?: readonly string[];
}

/** ws:// or wss:// URL for a server path, on the host that served the page. */
export function socketUrl(path: string, loc: Location = window.location): string {
  return ownServer(loc) + path;
}

export class ServerSocket {
  private ws: WebSocket | undefined;
  private stopped = true;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  readonly encoding: Encoding;
  private readonly reconnect: boolean;
  private readonly rotation: ServerRotation;

  constructor(
    private readonly path: string,
    private readonly handlers: SocketHandlers,
    options: SocketOptions = {},
  ) {
    this.encoding = options.encoding ?? 'json';
    this.reconnect = options.reconnect ?? true;
    const servers = options.servers?.length ? options.servers : [ownServer()];
    this.rotation = new ServerRotation(servers, { baseDelayMs: 500, maxDelayMs: options.maxBackoffMs ?? 10_000 });
  }

  /** The server (ws(s):// origin) this socket is connected or connecting to. */
  get server(): string {
    return this.rotation.url;
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Bytes queued in the browser but not yet sent: lets senders back off on slow links. */
  get bufferedAmount(): number {
    return this.ws?.bufferedAmount ?? 0;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const ws = this.ws;
    this.ws = undefined;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(CloseCode.normal, 'client stopped');
    this.handlers.onState?.('closed', 'stopped');
  }

  /** Sends a message; returns false (and drops it) when the socket is not open. */
  send(message: unknown): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    // msgpackr packs into a fresh ArrayBuffer-backed Uint8Array (never a SharedArrayBuffer).
    this.ws.send(encodeFrame(message, this.encoding) as string | Uint8Array<ArrayBuffer>);
    return true;
  }

  private connect(): void {
    const where = this.rotation.urls.length > 1 ? ` to ${serverLabel(this.server)}` : '';
    const failures = this.rotation.failures;
    this.handlers.onState?.('connecting', failures === 0 ? `connecting${where}` : `reconnecting${where} (attempt ${failures + 1})`);
    const ws = new WebSocket(this.server + this.path);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.addEventListener('open', () => {
      if (this.ws !== ws) return;
      this.rotation.succeeded();
      this.handlers.onState?.('open', `connected to ${serverLabel(this.server)}`);
      this.handlers.onOpen?.(this);
    });
    ws.addEventListener('message', (event: MessageEvent<string | ArrayBuffer>) => {
      if (this.ws !== ws) return;
      const decoded = typeof event.data === 'string' ? decodeFrame(event.data, false) : decodeFrame(new Uint8Array(event.data), true);
      if (decoded.ok) this.handlers.onMessage(decoded.value);
      else this.handlers.onDecodeError?.(decoded.error);
    });
    ws.addEventListener('close', (event) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      const reason = event.reason ? `: ${event.reason}` : '';
      if (this.stopped || !this.reconnect) {
        this.handlers.onState?.('closed', `closed (${event.code}${reason})`);
        return;
      }
      const delay = this.rotation.failed();
      const next = this.rotation.urls.length > 1 ? ` on ${serverLabel(this.server)}` : '';
      this.handlers.onState?.('closed', `disconnected (${event.code}${reason}); retrying${next} in ${(delay / 1000).toFixed(1)} s`);
      this.retryTimer = setTimeout(() => this.connect(), delay);
    });
    // 'error' is always followed by 'close', which handles retries.
  }
}

/** Narrows a decoded frame to an object with a string `type` (the server is trusted, not blindly). */
export function messageType(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' ? type : undefined;
}
