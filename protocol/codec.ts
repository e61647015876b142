// Frame encodings: JSON text frames and msgpackr binary frames carry the same messages.
// Decoding never throws: it answers with the message or a typed error.
import { Packr } from 'msgpackr';
import { checkJsonShape, checkMsgpackShape, type FrameShapeLimits } from './frame-guard.js';

export type Encoding = 'json' | 'msgpack';

// Plain structures (no record extension) so any msgpack implementation can read our frames.
const packr = new Packr({ useRecords: false });

export function encodeFrame(message: unknown, encoding: Encoding): string | Uint8Array {
  return encoding === 'json' ? JSON.stringify(message, typedArrayReplacer) : packr.pack(message);
}

export type DecodeResult = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * Decodes a text frame as JSON and a binary frame as msgpack. With `shape`, a frame nested deeper
 * or holding more values than it allows is refused from its bytes, before the decoder sees it
 * (protocol/frame-guard.ts: what a decoder pays for a frame depends on its shape, not its size).
 */
export function decodeFrame(data: string | Uint8Array, isBinary: boolean, shape?: FrameShapeLimits): DecodeResult {
  try {
    if (isBinary) {
      if (typeof data === 'string') return { ok: false, error: 'binary frame expected' };
      const check = shape ? checkMsgpackShape(data, shape) : undefined;
      if (check && !check.ok) return { ok: false, error: `msgpack frame refused: ${check.error}` };
      return { ok: true, value: packr.unpack(data) };
    }
    const check = shape ? checkJsonShape(data, shape) : undefined;
    if (check && !check.ok) return { ok: false, error: `JSON frame refused: ${check.error}` };
    const text = typeof data === 'string' ? data : new TextDecoder('utf-8', { fatal: true }).decode(data);
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: `${isBinary ? 'msgpack' : 'JSON'} frame could not be decoded: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function typedArrayReplacer(_key: string, value: unknown): unknown {
  return ArrayBuffer.isView(value) && !(value instanceof DataView) ? Array.from(value as unknown as ArrayLike<number>) : value;
}
