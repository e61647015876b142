// Slow readers: messages are dropped while too much is unsent, and a reader that stays behind
// for slowConsumerMs is disconnected (1008), then cut if it does not finish the close.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CloseCode } from '../../protocol/close-codes.js';
import { WebSocket } from 'ws';
import { SocketOutbox } from '../../server/ws/outbox.js';

class SlowSocket {
  readyState: number = WebSocket.OPEN;
  bufferedAmount = 0;
  sent = 0;
  closed: [number, string] | undefined;
  terminated = false;
  send() {
    this.sent++;
  }
  close(code: number, reason: string) {
    this.closed = [code, reason];
    this.readyState = WebSocket.CLOSING;
  }
  terminate() {
    this.terminated = true;
    this.readyState = WebSocket.CLOSED;
  }
}

afterEach(() => vi.useRealTimers());

describe('SocketOutbox', () => {
  it('drops while behind, recovers when the reader catches up, and cuts a reader behind for too long', () => {
    vi.useFakeTimers();
    let now = 0;
    const ws = new SlowSocket();
    let cut = 0;
    const out = new SocketOutbox(ws as unknown as WebSocket, { maxBufferedBytes: 100, slowConsumerMs: 1000, now: () => now, onCut: () => cut++ });
    expect(out.send('a')).toBe(true);
    ws.bufferedAmount = 500;
    expect(out.send('b')).toBe(false);
    now = 900;
    expect(out.send('c')).toBe(false);
    ws.bufferedAmount = 0; // caught up: the clock of slowness restarts
    expect(out.send('d')).toBe(true);
    ws.bufferedAmount = 500;
    now = 1000;
    out.send('e');
    now = 1900;
    out.send('f');
    expect(ws.closed).toBeUndefined();
    now = 2000;
    out.send('g');
    expect(ws.closed?.[0]).toBe(CloseCode.policy);
    expect(ws.closed?.[1]).toMatch(/reading too slowly/);
    expect(cut).toBe(1);
    expect(out.dropped).toBe(5);
    expect(ws.sent).toBe(2);
    vi.advanceTimersByTime(1000);
    expect(ws.terminated).toBe(true);
  });
});
