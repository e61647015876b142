// ws hands a message over as a Buffer, an ArrayBuffer or Buffer fragments: one byte view.
import type { RawData } from 'ws';

export function rawDataBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
