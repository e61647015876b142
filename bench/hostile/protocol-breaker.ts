// Frames that break the WebSocket protocol itself (RFC 6455 5.2, 5.5): reserved bits, unknown
// opcodes, unmasked client frames, a 2^63-byte length, control frames fragmented or over 125
// bytes, a continuation with nothing to continue, close frames with bad codes or bad UTF-8. Each
// goes on a fresh connection (the server closes it: 1002 or similar), spread over the endpoints.
import { createRandom, type Random } from '../../lib/random.js';
import { openRawWebSocket, OPCODE } from './raw-websocket.js';
import { inc, type Tally } from './tally.js';

const PATHS = ['/ws/device', '/ws/dashboard', '/ws/text'];

type Violation = { kind: string; opcode: number; payload: Buffer; fin?: boolean; rsv?: number; unmasked?: boolean; lengthOverride?: bigint };

function violation(r: Random): Violation {
  switch (r.int(0, 8)) {
    case 0:
      return { kind: 'rsv-bits', opcode: OPCODE.text, payload: Buffer.from('{}'), rsv: r.int(1, 7) };
    case 1:
      return { kind: 'unknown-opcode', opcode: r.pick([0x3, 0x4, 0x7, 0xb, 0xf]), payload: Buffer.from('x') };
    case 2:
      return { kind: 'unmasked', opcode: OPCODE.text, payload: Buffer.from('{"type":"hello"}'), unmasked: true };
    case 3:
      return { kind: 'length-2^63', opcode: OPCODE.binary, payload: Buffer.alloc(16), lengthOverride: (1n << 63n) - 1n };
    case 4:
      return { kind: 'fragmented-ping', opcode: OPCODE.ping, payload: Buffer.from('ab'), fin: false };
    case 5:
      return { kind: 'long-ping', opcode: OPCODE.ping, payload: Buffer.alloc(200, 1) };
    case 6:
      return { kind: 'orphan-continuation', opcode: OPCODE.continuation, payload: Buffer.from('{}') };
    case 7: {
      const p = Buffer.alloc(2 + r.int(0, 4));
      p.writeUInt16BE(r.pick([0, 999, 1005, 1006, 1015, 2999, 5000, 65535]));
      if (p.length > 2) p[2] = 0xff; // invalid UTF-8 reason
      return { kind: 'bad-close', opcode: OPCODE.close, payload: p };
    }
    default:
      return { kind: 'declared-length-never-sent', opcode: OPCODE.binary, payload: Buffer.alloc(10), lengthOverride: BigInt(r.int(1 << 16, 1 << 20)) };
  }
}

export interface ProtocolStats {
  sent: number;
  kinds: Tally;
  openErrors: number;
}

export class ProtocolBreaker {
  readonly stats: ProtocolStats = { sent: 0, kinds: {}, openErrors: 0 };
  private readonly rng: Random;
  private inFlight = 0;
  private stopped = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    seed: number,
  ) {
    this.rng = createRandom(seed);
  }

  /** Starts up to n violations (at most 8 connections at once). */
  send(n: number): number {
    let started = 0;
    while (started < n && this.inFlight < 8 && !this.stopped) {
      started++;
      this.inFlight++;
      const v = violation(this.rng);
      const path = this.rng.pick(PATHS);
      openRawWebSocket(this.host, this.port, path, true)
        .then((ws) => {
          ws.sendFrame(v.opcode, v.payload, v);
          this.stats.sent++;
          inc(this.stats.kinds, v.kind);
          // The server should close it; if it does not within a second, we do.
          setTimeout(() => ws.destroy(), 1000);
        })
        .catch(() => this.stats.openErrors++)
        .finally(() => this.inFlight--);
    }
    return started;
  }

  stop(): void {
    this.stopped = true;
  }
}
