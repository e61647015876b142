// The part of a ws WebSocket a device connection touches (directly, and through SocketOutbox and
// ReadBudget): events, send with a buffered amount, close/terminate, pause/resume. What is sent
// is kept decoded, with the encoding it went out in; close() only records (the test emits
// 'close' itself, with the code it wants, as ws would after the handshake).
import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { decodeFrame } from '../../../protocol/codec.js';

export class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;
  readyState = 1;
  bufferedAmount = 0;
  paused = false;
  terminated = false;
  readonly sent: { message: Record<string, unknown>; binary: boolean }[] = [];
  readonly closes: { code: number; reason: string }[] = [];

  /** This fake where the code under test wants a ws WebSocket. */
  get asWebSocket(): WebSocket {
    return this as unknown as WebSocket;
  }

  send(data: string | Uint8Array, opts?: { binary?: boolean }): void {
    const binary = opts?.binary ?? typeof data !== 'string';
    const decoded = decodeFrame(data, binary);
    if (!decoded.ok) throw new Error(`the server sent an undecodable frame: ${decoded.error}`);
    this.sent.push({ message: decoded.value as Record<string, unknown>, binary });
  }

  close(code: number, reason: string): void {
    this.closes.push({ code, reason });
    this.readyState = this.CLOSING;
  }

  terminate(): void {
    this.terminated = true;
    this.readyState = this.CLOSED;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  /** A frame from the device: JSON text for objects and strings, binary for bytes. */
  receive(frame: object | string | Uint8Array): void {
    if (frame instanceof Uint8Array) this.emit('message', Buffer.from(frame), true);
    else this.emit('message', Buffer.from(typeof frame === 'string' ? frame : JSON.stringify(frame)), false);
  }

  /** The connection ended (ws emits this once the close handshake is over, or 1006 without one). */
  closed(code: number): void {
    this.readyState = this.CLOSED;
    this.emit('close', code, Buffer.alloc(0));
  }

  messages(): Record<string, unknown>[] {
    return this.sent.map((s) => s.message);
  }

  errors(): { code: unknown; message: unknown; seq?: unknown }[] {
    return this.messages().filter((m) => m.type === 'error') as { code: unknown; message: unknown; seq?: unknown }[];
  }
}
