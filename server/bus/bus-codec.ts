// Payloads on NATS: msgpack with typed arrays kept (msgpackr's typed-array extension), so a
// Float32Array window arrives as a Float32Array. Bytes from the wire are untrusted: their shape is
// checked before decoding (protocol/frame-guard.ts) and the decoded value must be plain data;
// anything else is a BusPayloadError for the receiver, never an exception out of the socket.
import { Packr } from 'msgpackr';
import { checkMsgpackShape, type FrameShapeLimits } from '../../protocol/frame-guard.js';
import { BusPayloadError, errorMessage } from './bus-errors.js';

/**
 * The largest payload shape the bus carries. Our payloads nest at most 4 deep (a gateway's device
 * list: payload, devices, device, fields); a list of 5,000 devices holds ~100,000 values.
 */
export const BUS_PAYLOAD_SHAPE: FrameShapeLimits = { maxDepth: 16, maxItems: 200_000 };

// useRecords: false: plain msgpack maps any client can read; moreTypes: typed arrays as extensions.
const packr = new Packr({ useRecords: false, moreTypes: true });

export function encodePayload(payload: unknown): Uint8Array {
  checkPlainData(payload, BUS_PAYLOAD_SHAPE.maxDepth, 'payload');
  try {
    return packr.pack(payload);
  } catch (err) {
    throw new BusPayloadError(`payload could not be encoded: ${errorMessage(err)}`);
  }
}

/** The payload in bytes from the wire; throws BusPayloadError when they are not one we accept. */
export function decodePayload(bytes: Uint8Array): unknown {
  // An empty message is how a bare NATS client publishes "nothing": the payload undefined.
  if (bytes.length === 0) return undefined;
  const shape = checkMsgpackShape(bytes, BUS_PAYLOAD_SHAPE);
  if (!shape.ok) throw new BusPayloadError(`payload refused: ${shape.error}`);
  let value: unknown;
  try {
    value = packr.unpack(bytes);
  } catch (err) {
    throw new BusPayloadError(`payload could not be decoded: ${errorMessage(err)}`);
  }
  checkPlainData(value, BUS_PAYLOAD_SHAPE.maxDepth, 'received payload');
  return value;
}

/**
 * Throws BusPayloadError unless value is plain data: null, undefined, booleans, finite or not
 * numbers, strings, typed arrays, arrays and plain objects, nested at most maxDepth deep.
 */
function checkPlainData(value: unknown, maxDepth: number, what: string): void {
  const problem = plainDataProblem(value, maxDepth);
  if (problem) throw new BusPayloadError(`${what} is not plain data: ${problem}`);
}

function plainDataProblem(value: unknown, depthLeft: number): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return undefined;
    case 'object':
      break;
    default:
      return `a ${typeof value}`;
  }
  if (value === null) return undefined;
  if (ArrayBuffer.isView(value)) return value instanceof DataView ? 'a DataView' : undefined;
  if (depthLeft <= 0) return `nested deeper than ${BUS_PAYLOAD_SHAPE.maxDepth} levels`;
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = plainDataProblem(item, depthLeft - 1);
      if (problem) return problem;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return `a ${(value as object).constructor?.name ?? 'non-plain object'}`;
  for (const key in value) {
    const problem = plainDataProblem((value as Record<string, unknown>)[key], depthLeft - 1);
    if (problem) return problem;
  }
  return undefined;
}
