// Sending to a socket whose reader may be slow: rather than buffering without bound, messages
// are dropped while more than `maxBufferedBytes` wait to be written.
import { WebSocket } from 'ws';

/** Sends and returns true, or returns false when the socket is closed or too far behind. */
export function sendOrDrop(ws: WebSocket, data: string | Uint8Array, maxBufferedBytes: number): boolean {
  if (ws.readyState !== WebSocket.OPEN || ws.bufferedAmount > maxBufferedBytes) return false;
  ws.send(data, { binary: typeof data !== 'string' });
  return true;
}
