// Sending to a socket whose reader may be slow (a dashboard in a background tab, a phone on a
// bad link): messages are dropped while more than `maxBufferedBytes` wait to be written, and a
// reader that stays behind for `slowConsumerMs` is disconnected, so no socket holds memory or
// a stream of drops forever.
import type { WebSocket } from 'ws';
import { CloseCode } from '../../protocol/close-codes.js';
import { sendOrDrop } from './send-or-drop.js';

export interface OutboxOptions {
  maxBufferedBytes: number;
  /** Disconnect after this long without being able to send (0 or Infinity: never). */
  slowConsumerMs: number;
  /** Told when the socket is cut for being too slow. */
  onCut?: () => void;
  now?: () => number;
}

export class SocketOutbox {
  /** Messages not sent because the socket was too far behind (or closed). */
  dropped = 0;
  private behindSince: number | undefined;
  private cut = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly opts: OutboxOptions,
  ) {}

  /** Sends, or drops (returning false) while the socket is closed or too far behind. */
  send(data: string | Uint8Array): boolean {
    if (sendOrDrop(this.ws, data, this.opts.maxBufferedBytes)) {
      this.behindSince = undefined;
      return true;
    }
    this.dropped++;
    if (this.ws.readyState !== 1 /* OPEN */) return false;
    const now = this.opts.now ? this.opts.now() : performance.now();
    this.behindSince ??= now;
    if (!this.cut && this.opts.slowConsumerMs > 0 && now - this.behindSince >= this.opts.slowConsumerMs) this.disconnect();
    return false;
  }

  private disconnect(): void {
    this.cut = true;
    this.opts.onCut?.();
    // The close frame queues behind the unread data, so don't wait for the handshake.
    this.ws.close(CloseCode.policy, `reading too slowly: more than ${this.opts.maxBufferedBytes} bytes unsent for ${this.opts.slowConsumerMs} ms`);
    const force = setTimeout(() => this.ws.terminate?.(), 1000);
    force.unref?.();
  }
}
