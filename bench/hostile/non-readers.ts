// Clients that never read: after the handshake they keep asking for replies (error replies on
// /ws/text and /ws/device, the live stream on /ws/dashboard, pongs to a ping flood, generated
// tokens) and leave every byte unread, so whatever the server queues for them stays queued. The
// server must bound that queue and, after a while, cut them; a cut one is replaced.
import { createRandom } from '../../lib/random.js';
import { openRawWebSocket, OPCODE, type RawWebSocket } from './raw-websocket.js';
import { inc, type Tally } from './tally.js';

type Role = 'text-errors' | 'text-generate' | 'device-errors' | 'dashboard-stream' | 'ping-flood';

const ROLES: { role: Role; path: string; preamble: string[] }[] = [
  { role: 'text-errors', path: '/ws/text', preamble: [] },
  { role: 'text-generate', path: '/ws/text', preamble: ['{"type":"start"}'] },
  { role: 'device-errors', path: '/ws/device', preamble: ['{"type":"hello","deviceId":"fuzz-nonreader","rateHz":50,"units":"g"}'] },
  { role: 'dashboard-stream', path: '/ws/dashboard', preamble: ['{"type":"subscribe","devices":"*"}'] },
  { role: 'ping-flood', path: '/ws/device', preamble: [] },
];

export interface NonReaderStats {
  frames: number;
  opened: number;
  /** Connections the server closed (bounded queue doing its job), by role. */
  cutByServer: Tally;
  openErrors: number;
}

interface Slot {
  role: (typeof ROLES)[number];
  ws?: RawWebSocket;
  opening: boolean;
}

export class NonReaders {
  readonly stats: NonReaderStats = { frames: 0, opened: 0, cutByServer: {}, openErrors: 0 };
  private readonly slots: Slot[];
  private stopped = false;
  private readonly rng;

  constructor(
    private readonly host: string,
    private readonly port: number,
    seed: number,
  ) {
    this.rng = createRandom(seed);
    this.slots = ROLES.map((role) => ({ role, opening: false }));
  }

  /** Each open non-reader writes about `perSlot` frames; cut ones are reopened. Returns frames written. */
  tick(perSlot: number): number {
    let n = 0;
    for (const s of this.slots) {
      if (this.stopped) break;
      if (s.ws?.closed) {
        inc(this.stats.cutByServer, s.role.role);
        s.ws = undefined;
      }
      if (!s.ws) {
        this.open(s);
        continue;
      }
      for (let i = 0; i < perSlot; i++) {
        const frame = this.frameFor(s.role.role);
        if (!s.ws.sendFrame(frame.opcode, frame.payload)) break;
        n++;
      }
    }
    this.stats.frames += n;
    return n;
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.slots) s.ws?.destroy();
  }

  private frameFor(role: Role): { opcode: number; payload: Buffer } {
    switch (role) {
      case 'text-errors':
        return { opcode: OPCODE.text, payload: Buffer.from('{}') };
      case 'text-generate':
        return { opcode: OPCODE.text, payload: Buffer.from(JSON.stringify({ type: 'generate', id: `g${this.rng.int(0, 1)}`, maxTokens: 500, prompt: 'the ' })) };
      case 'device-errors':
        return { opcode: OPCODE.text, payload: Buffer.from('{"type":"samples","seq":-1}') };
      case 'dashboard-stream':
        return { opcode: OPCODE.text, payload: Buffer.from('{"type":"subscribe","devices":"*"}') };
      default:
        return { opcode: OPCODE.ping, payload: Buffer.alloc(125, 0x70) };
    }
  }

  private open(s: Slot): void {
    if (s.opening || this.stopped) return;
    s.opening = true;
    openRawWebSocket(this.host, this.port, s.role.path, false)
      .then((ws) => {
        s.opening = false;
        if (this.stopped) return ws.destroy();
        this.stats.opened++;
        for (const p of s.role.preamble) ws.sendFrame(OPCODE.text, Buffer.from(p));
        s.ws = ws;
      })
      .catch(() => {
        s.opening = false;
        this.stats.openErrors++;
      });
  }
}
