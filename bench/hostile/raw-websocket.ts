// A WebSocket client written on a bare TCP socket, for what the `ws` library will not do: stop
// reading after the handshake (the server's replies pile up on its side, not ours), and write
// frames that break the protocol itself (reserved bits, unknown opcodes, unmasked frames, lengths
// of 2^63, fragmented control frames, ping floods). RFC 6455 section 5.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface RawWebSocket {
  socket: Socket;
  /** True once the server or the network closed the TCP connection. */
  readonly closed: boolean;
  /** Writes one frame (masked, as a client must, unless `unmasked`); false when the socket cannot take more now. */
  sendFrame(opcode: number, payload: Buffer, opts?: { fin?: boolean; rsv?: number; unmasked?: boolean; lengthOverride?: bigint }): boolean;
  destroy(): void;
}

/** Opens `path` on host:port, completes the upgrade, and from then on reads nothing when `read` is false. */
export function openRawWebSocket(host: string, port: number, path: string, read: boolean, timeoutMs = 5000): Promise<RawWebSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let closed = false;
    let head = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new Error('no upgrade response')), timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    socket.on('error', (err) => fail(err));
    socket.on('close', () => (closed = true));
    socket.on('connect', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      clearTimeout(timer);
      const status = head.subarray(0, head.indexOf('\r\n')).toString();
      if (!status.includes(' 101 ')) return fail(new Error(`upgrade refused: ${status}`));
      socket.off('data', onData);
      socket.removeAllListeners('error');
      socket.on('error', () => (closed = true));
      if (read) socket.on('data', () => undefined);
      else socket.pause(); // never read again: the kernel buffers fill, then the server's queue
      resolve({
        socket,
        get closed() {
          return closed || socket.destroyed;
        },
        sendFrame(opcode, payload, opts = {}) {
          if (closed || socket.destroyed) return false;
          if (socket.writableLength > 1 << 20) return false;
          socket.write(encodeFrame(opcode, payload, opts));
          return true;
        },
        destroy: () => socket.destroy(),
      });
    };
    socket.on('data', onData);
  });
}

function encodeFrame(opcode: number, payload: Buffer, opts: { fin?: boolean; rsv?: number; unmasked?: boolean; lengthOverride?: bigint }): Buffer {
  const masked = !opts.unmasked;
  const len = opts.lengthOverride ?? BigInt(payload.length);
  const first = ((opts.fin ?? true) ? 0x80 : 0) | ((opts.rsv ?? 0) << 4) | (opcode & 0x0f);
  let header: Buffer;
  if (len < 126n) header = Buffer.from([first, (masked ? 0x80 : 0) | Number(len)]);
  else if (len < 65536n) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = (masked ? 0x80 : 0) | 126;
    header.writeUInt16BE(Number(len), 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = (masked ? 0x80 : 0) | 127;
    header.writeBigUInt64BE(len, 2);
  }
  if (!masked) return Buffer.concat([header, payload]);
  const mask = randomBytes(4);
  const body = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) body[i] = payload[i]! ^ mask[i & 3]!;
  return Buffer.concat([header, mask, body]);
}

export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;
