// Counters by name, and the last frames an attacker sent (so a crash can be traced to its frame).

export type Tally = Record<string, number>;

export function inc(t: Tally, key: string | number, n = 1): void {
  t[key] = (t[key] ?? 0) + n;
}

/** The counts added between two readings of a growing tally. */
export function tallySince(now: Tally, before: Tally): Tally {
  const d: Tally = {};
  for (const [key, n] of Object.entries(now)) if (n > (before[key] ?? 0)) d[key] = n - (before[key] ?? 0);
  return d;
}

/** A frame as sent, in a form that survives IPC (base64) and can be replayed. */
export interface SentRecord {
  endpoint: string;
  kind: string;
  /** Date.now() when it was written. */
  at: number;
  binary: boolean;
  /** The frame's bytes, base64 (UTF-8 for text frames). */
  base64: string;
  bytes: number;
  /** Frames this connection sent first (hello, start, subscribe), base64 like the frame. */
  preamble: { binary: boolean; base64: string }[];
}

/** Frames larger than this are kept truncated (a 1 MiB frame is rarely the interesting one). */
const KEEP_BYTES = 64 * 1024;

export class RecentFrames {
  private readonly items: SentRecord[] = [];

  constructor(private readonly capacity = 64) {}

  add(endpoint: string, kind: string, data: Buffer | string, binary: boolean, preamble: readonly { data: Buffer | string; binary: boolean }[]): void {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    this.items.push({
      endpoint,
      kind,
      at: Date.now(),
      binary,
      base64: bytes.subarray(0, KEEP_BYTES).toString('base64'),
      bytes: bytes.length,
      preamble: preamble.map((p) => ({ binary: p.binary, base64: Buffer.from(p.data).toString('base64') })),
    });
    if (this.items.length > this.capacity) this.items.shift();
  }

  list(): SentRecord[] {
    return [...this.items];
  }
}
