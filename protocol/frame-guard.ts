// A frame's shape, checked on its bytes before it is decoded: how deep its arrays and objects
// nest and how many values it holds. Decoders pay for what a frame declares, not for what it is
// worth: JSON.parse of 200,000 nested brackets took 37 ms on average (up to 293 ms) and msgpack
// holding an array of a million nils up to 157 ms — the whole event loop, every neighbour's
// frames waiting behind it. The scan is one pass over the bytes that stops at the first value
// over a limit, so an oversized frame costs what it takes to find that out (microseconds for
// nesting, a fraction of a millisecond for too many values) and never reaches the decoder.
// Our own messages are flat (depth 2: a frame and its columns) and hold at most a few values
// per sample, so the limits are far above any honest frame (see frameShapeFor in each endpoint).

export interface FrameShapeLimits {
  /** Deepest nesting of arrays and objects (maps); the top-level value is depth 1. */
  maxDepth: number;
  /** Most values in the frame, containers included (every array item, map key and map value). */
  maxItems: number;
}

export type ShapeCheck = { ok: true } | { ok: false; error: string };

const OK: ShapeCheck = { ok: true };

function tooDeep(limits: FrameShapeLimits): ShapeCheck {
  return { ok: false, error: `frame nests deeper than ${limits.maxDepth} levels` };
}

function tooMany(limits: FrameShapeLimits): ShapeCheck {
  return { ok: false, error: `frame holds more than ${limits.maxItems} values` };
}

const LATIN1 = new TextDecoder('latin1');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * Depth and value count of JSON text (a string, or its UTF-8 bytes), outside string literals.
 * Values are counted by their separators and containers (an object member counts once), close
 * enough for a limit; malformed JSON is left to JSON.parse (this only has to be cheap, not strict).
 */
export function checkJsonShape(data: string | Uint8Array, limits: FrameShapeLimits): ShapeCheck {
  // Bytes as latin1: one char per byte, no UTF-8 decoding; the structure is ASCII, and UTF-8
  // bytes of other characters (>= 0x80) never look like a quote, a backslash or a bracket.
  const text = typeof data === 'string' ? data : LATIN1.decode(data);
  const n = text.length;
  const { maxDepth, maxItems } = limits;
  let depth = 0;
  let items = 0;
  // A comma counts the value after it; when that value is an array or object its bracket must
  // not count it again ([[],[]] holds 3 values, not 4).
  let afterComma = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      afterComma = false;
      // Skip the string literal: the next quote not escaped by an odd run of backslashes.
      for (;;) {
        const q = text.indexOf('"', i + 1);
        if (q < 0) return OK; // unterminated: JSON.parse will say so
        let k = q - 1;
        while (text.charCodeAt(k) === BACKSLASH) k--;
        i = q;
        if ((q - 1 - k) % 2 === 0) break;
      }
    } else if (c === COMMA) {
      if (++items > maxItems) return tooMany(limits);
      afterComma = true;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > maxDepth) return tooDeep(limits);
      if (!afterComma && ++items > maxItems) return tooMany(limits);
      afterComma = false;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
      afterComma = false;
    } else if (c > 0x20) {
      afterComma = false;
    }
  }
  return OK;
}

/** Payload bytes after the type byte of the fixed-size msgpack types 0xc0-0xdf (-1: read a length). */
const FIXED_PAYLOAD = new Int8Array(32).fill(-1);
for (const [code, bytes] of [
  [0xc0, 0],
  [0xc2, 0],
  [0xc3, 0],
  [0xca, 4],
  [0xcb, 8],
  [0xcc, 1],
  [0xcd, 2],
  [0xce, 4],
  [0xcf, 8],
  [0xd0, 1],
  [0xd1, 2],
  [0xd2, 4],
  [0xd3, 8],
  [0xd4, 2],
  [0xd5, 3],
  [0xd6, 5],
  [0xd7, 9],
  [0xd8, 17],
] as const) {
  FIXED_PAYLOAD[code - 0xc0] = bytes;
}

/**
 * Depth and value count of a msgpack value, from its headers (no value is built). A header that
 * declares more items or bytes than the frame holds is refused too: msgpackr would otherwise
 * size an array from the header before finding the frame short.
 */
export function checkMsgpackShape(bytes: Uint8Array, limits: FrameShapeLimits): ShapeCheck {
  const n = bytes.length;
  const { maxDepth, maxItems } = limits;
  // Values still to read at each open level (maps count keys and values); depth = level count.
  const pending = new Array<number>(maxDepth + 1);
  pending[0] = 1;
  let level = 1;
  let items = 0;
  let i = 0;
  while (level > 0) {
    if (pending[level - 1] === 0) {
      level--;
      continue;
    }
    pending[level - 1]!--;
    if (i >= n) return SHORT;
    if (++items > maxItems) return tooMany(limits);
    const b = bytes[i++]!;
    let skip = 0; // payload bytes after the header
    let children = -1; // items of a container (-1: not a container)
    if (b <= 0x7f || b >= 0xe0)
      skip = 0; // fixint
    else if (b <= 0x8f)
      children = (b & 0x0f) * 2; // fixmap
    else if (b <= 0x9f)
      children = b & 0x0f; // fixarray
    else if (b <= 0xbf)
      skip = b & 0x1f; // fixstr
    else if (FIXED_PAYLOAD[b - 0xc0]! >= 0) skip = FIXED_PAYLOAD[b - 0xc0]!;
    else {
      if (b === 0xc1) return { ok: false, error: 'msgpack frame holds the reserved byte 0xc1' };
      // A length of 1, 2 or 4 bytes (big-endian) follows the type byte.
      const width = b === 0xc4 || b === 0xc7 || b === 0xd9 ? 1 : b === 0xc5 || b === 0xc8 || b === 0xda || b === 0xdc || b === 0xde ? 2 : 4;
      if (i + width > n) return SHORT;
      let len = 0;
      for (let k = 0; k < width; k++) len = len * 256 + bytes[i + k]!;
      i += width;
      if (b === 0xdc || b === 0xdd)
        children = len; // array16/32
      else if (b === 0xde || b === 0xdf)
        children = len * 2; // map16/32
      else skip = b >= 0xc7 && b <= 0xc9 ? len + 1 : len; // ext (+ its type byte), bin, str
    }
    if (children < 0) {
      if (skip > n - i) return SHORT;
      i += skip;
    } else {
      if (level > maxDepth) return tooDeep(limits); // this container sits at depth `level`
      // Each value takes at least one byte: a count the rest of the frame cannot hold is a lie.
      if (children > n - i) return SHORT;
      if (items + children > maxItems) return tooMany(limits);
      if (children > 0) pending[level++] = children;
    }
  }
  // One frame is one value. Bytes after it are no honest encoder's, and msgpackr reads them: an
  // inline record definition (ext 0x72) makes it decode the value that follows, unchecked here.
  return i === n ? OK : TRAILING;
}

const SHORT: ShapeCheck = { ok: false, error: 'msgpack frame is shorter than its headers declare' };
const TRAILING: ShapeCheck = { ok: false, error: 'msgpack frame holds bytes after its value' };

// The limits of each endpoint. Our messages nest 2 deep (a message and its arrays); 8 leaves room.
const MAX_DEPTH = 8;

/** /ws/device: a samples frame holds t, x, y, z and labels per sample (5 values), plus a few fields. */
export function deviceFrameShape(maxSamplesPerFrame: number): FrameShapeLimits {
  return { maxDepth: MAX_DEPTH, maxItems: 6 * maxSamplesPerFrame + 64 };
}

/** /ws/dashboard: a subscribe lists at most 1000 device ids. */
export const DASHBOARD_FRAME_SHAPE: FrameShapeLimits = { maxDepth: MAX_DEPTH, maxItems: 2048 };

/** /ws/text: start, edit, generate and stop are flat objects of a few fields. */
export const TEXT_FRAME_SHAPE: FrameShapeLimits = { maxDepth: MAX_DEPTH, maxItems: 256 };
