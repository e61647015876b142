// A NATS KV bucket (JetStream) behind the BusKv interface, values as bus payloads (msgpack).
import type { KV } from '@nats-io/kv';
import type { BusKv } from './bus.js';
import { decodePayload, encodePayload } from './bus-codec.js';
import { checkKey } from './subject.js';

export class NatsKv implements BusKv {
  constructor(private readonly bucket: KV) {}

  async get(key: string): Promise<unknown> {
    checkKey(key);
    const entry = await this.bucket.get(key);
    // A deleted key reads as an entry with operation DEL (or PURGE) and no value.
    if (!entry || entry.operation !== 'PUT') return undefined;
    return decodePayload(entry.value);
  }

  async put(key: string, value: unknown): Promise<void> {
    checkKey(key);
    await this.bucket.put(key, encodePayload(value));
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    await this.bucket.delete(key);
  }

  async keys(): Promise<string[]> {
    const keys: string[] = [];
    for await (const key of await this.bucket.keys()) keys.push(key);
    return keys;
  }
}
