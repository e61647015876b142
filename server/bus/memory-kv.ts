// A key-value bucket in this process, with the NATS KV's rules (keys, TTL since the last put),
// so session code that works here works on NATS. Values are stored by reference (immutable).
import type { BusKv } from './bus.js';
import { checkKey } from './subject.js';

interface Entry {
  value: unknown;
  /** performance.now() after which the entry is gone; Infinity without a TTL. */
  expiresAt: number;
}

export class MemoryKv implements BusKv {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly ttlMs: number | undefined) {}

  async get(key: string): Promise<unknown> {
    checkKey(key);
    return this.live(key)?.value;
  }

  async put(key: string, value: unknown): Promise<void> {
    checkKey(key);
    const expiresAt = this.ttlMs === undefined ? Infinity : performance.now() + this.ttlMs;
    // Delete first so iteration order follows the last put, like a log.
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt });
    this.pruneSome();
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    this.entries.delete(key);
  }

  async keys(): Promise<string[]> {
    const now = performance.now();
    const keys: string[] = [];
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(key);
      else keys.push(key);
    }
    return keys;
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= performance.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Expired entries would otherwise stay until read: drop the oldest few on every put. */
  private pruneSome(): void {
    if (this.ttlMs === undefined) return;
    const now = performance.now();
    let checked = 0;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now || ++checked > 4) return;
      this.entries.delete(key);
    }
  }
}
