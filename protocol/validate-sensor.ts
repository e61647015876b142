// Validation of device and dashboard messages: pure functions from a decoded frame (unknown) to
// either a typed message or a typed error the server sends back as an `error` frame. Sample
// arrays come out as fresh typed arrays (t: Float64Array, x/y/z: Float32Array) that the caller
// owns, so later pipeline stages can convert units in place.
import { describeValue } from './describe-value.js';
import { PLACEMENTS, STANDARD_GRAVITY, type DeviceSource, type ErrorCode, type HelloMessage, type Placement, type ProtocolLimits, type SubscribeMessage, type Units } from './sensor-messages.js';

export interface ValidationError {
  code: ErrorCode;
  message: string;
  /** The offending frame's seq, when known. */
  seq?: number;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; error: ValidationError };

/** A samples frame that passed validation. */
export interface SampleFrame {
  seq: number;
  t: Float64Array;
  x: Float32Array;
  y: Float32Array;
  z: Float32Array;
  /** Per-sample ground truth (undefined entries: no label for that sample). */
  labels?: (string | undefined)[];
}

export const DEVICE_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;
const UNITS: readonly Units[] = ['g', 'm/s2'];
const SOURCES: readonly DeviceSource[] = ['phone', 'simulator', 'replay', 'sensor-logger', 'recording'];
const MAX_DESCRIPTION = 200;
const MAX_TOKEN = 256;
const MAX_LABEL = 64;
const MAX_SUBSCRIBED_IDS = 1000;
/** |t| beyond this (ms; year 2286 as epoch ms) means the clock is in µs or ns, not ms. */
export const MAX_ABS_TIMESTAMP_MS = 1e13;
/** A frame's implied sample rate may exceed maxRateHz by this factor (timestamp jitter)… */
export const RATE_TOLERANCE = 1.5;
/** …and is only judged on frames with at least this many samples (short frames are too jittery). */
export const MIN_SAMPLES_FOR_RATE_CHECK = 10;

const fail = (code: ErrorCode, message: string, seq?: number): { ok: false; error: ValidationError } => ({
  ok: false,
  error: seq === undefined ? { code, message } : { code, message, seq },
});

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** The `type` field of a decoded frame, or an error saying why there is none. */
export function messageType(value: unknown): Validated<string> {
  if (!isRecord(value)) return fail('invalid', `a message must be an object with a "type" field (got ${describeValue(value)})`);
  if (typeof value.type !== 'string') return fail('invalid', `"type" must be a string (got ${describeValue(value.type)})`);
  return { ok: true, value: value.type };
}

export function validateHello(value: unknown, limits: ProtocolLimits): Validated<HelloMessage> {
  if (!isRecord(value) || value.type !== 'hello') return fail('invalid', 'expected a hello message');
  const { deviceId, rateHz, units, source, hasLabels, token, description, lastWindowEnd, placement } = value;
  if (typeof deviceId !== 'string' || !DEVICE_ID_PATTERN.test(deviceId)) {
    return fail('invalid', `deviceId must be 1-64 characters of [A-Za-z0-9._:-] (got ${describeValue(deviceId)})`);
  }
  if (typeof rateHz !== 'number') return fail('invalid', `rateHz must be a number (got ${describeValue(rateHz)})`);
  if (!Number.isFinite(rateHz) || rateHz < limits.minRateHz || rateHz > limits.maxRateHz) {
    return fail('out-of-range', `rateHz must be between ${limits.minRateHz} and ${limits.maxRateHz} Hz (got ${rateHz})`);
  }
  if (!UNITS.includes(units as Units)) return fail('invalid', `units must be one of ${UNITS.join(', ')} (got ${describeValue(units)})`);
  if (source !== undefined && !SOURCES.includes(source as DeviceSource)) {
    return fail('invalid', `source must be one of ${SOURCES.join(', ')} (got ${describeValue(source)})`);
  }
  if (hasLabels !== undefined && typeof hasLabels !== 'boolean') return fail('invalid', `hasLabels must be a boolean (got ${describeValue(hasLabels)})`);
  if (token !== undefined && (typeof token !== 'string' || token.length > MAX_TOKEN)) return fail('invalid', `token must be a string of at most ${MAX_TOKEN} characters`);
  if (description !== undefined && (typeof description !== 'string' || description.length > MAX_DESCRIPTION)) {
    return fail('invalid', `description must be a string of at most ${MAX_DESCRIPTION} characters`);
  }
  if (lastWindowEnd !== undefined && (typeof lastWindowEnd !== 'number' || !Number.isFinite(lastWindowEnd))) {
    return fail('invalid', `lastWindowEnd must be a finite number (got ${describeValue(lastWindowEnd)})`);
  }
  if (placement !== undefined && !PLACEMENTS.includes(placement as Placement)) {
    return fail('invalid', `placement must be one of ${PLACEMENTS.join(', ')} (got ${describeValue(placement)})`);
  }
  const hello: HelloMessage = { type: 'hello', deviceId, rateHz, units: units as Units, placement: (placement as Placement | undefined) ?? 'unknown' };
  if (source !== undefined) hello.source = source as DeviceSource;
  if (hasLabels !== undefined) hello.hasLabels = hasLabels;
  if (token !== undefined) hello.token = token;
  if (description !== undefined) hello.description = description;
  if (lastWindowEnd !== undefined) hello.lastWindowEnd = lastWindowEnd;
  return { ok: true, value: hello };
}

/**
 * Checks a samples frame: types, equal lengths, finite values, |value| <= maxAbsG (in the
 * device's units), timestamps in ms and non-decreasing, the frame's implied rate, labels.
 */
export function validateSamples(value: unknown, limits: ProtocolLimits, units: Units): Validated<SampleFrame> {
  if (!isRecord(value) || value.type !== 'samples') return fail('invalid', 'expected a samples message');
  const { seq } = value;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
    return fail('invalid', `seq must be a whole number >= 0 (got ${describeValue(seq)})`);
  }
  const n = columnLength(value.t);
  if (n === undefined) return fail('invalid', `t must be an array of numbers (got ${describeValue(value.t)})`, seq);
  if (n > limits.maxSamplesPerFrame) {
    return fail('too-many-samples', `a frame carries at most ${limits.maxSamplesPerFrame} samples (got ${n})`, seq);
  }
  const t = toFloat64(value.t, n);
  if (typeof t === 'string') return fail('invalid', `t ${t}`, seq);
  for (let i = 0; i < n; i++) {
    const ti = t[i]!;
    if (!Number.isFinite(ti)) return fail('invalid', `t[${i}] is ${ti}: timestamps must be finite numbers`, seq);
    if (Math.abs(ti) > MAX_ABS_TIMESTAMP_MS) return fail('out-of-range', `t[${i}] = ${ti} is not a time in ms (|t| <= ${MAX_ABS_TIMESTAMP_MS}; µs or ns clocks must be converted)`, seq);
    if (i > 0 && ti < t[i - 1]!) return fail('invalid', `t must be non-decreasing within a frame (t[${i}] = ${ti} < t[${i - 1}] = ${t[i - 1]})`, seq);
  }
  const rateError = checkFrameRate(t, limits);
  if (rateError) return fail('out-of-range', rateError, seq);

  const maxAbs = units === 'g' ? limits.maxAbsG : limits.maxAbsG * STANDARD_GRAVITY;
  const axes: Float32Array[] = [];
  for (const axis of ['x', 'y', 'z'] as const) {
    const column = value[axis];
    const len: number | undefined = isBytes(column) ? n : columnLength(column); // byte columns: toFloat32 checks their size
    if (len === undefined) return fail('invalid', `${axis} must be an array of numbers (got ${describeValue(column)})`, seq);
    if (len !== n) return fail('invalid', `t, x, y and z must have the same length (t has ${n}, ${axis} has ${len})`, seq);
    const a = toFloat32(column, n);
    if (typeof a === 'string') return fail('invalid', `${axis} ${a}`, seq);
    for (let i = 0; i < n; i++) {
      const v = a[i]!;
      if (!Number.isFinite(v)) return fail('invalid', `${axis}[${i}] is ${v}: values must be finite numbers (NaN and Infinity are rejected)`, seq);
      if (v > maxAbs || v < -maxAbs) return fail('out-of-range', `${axis}[${i}] = ${v} ${units} is beyond ±${maxAbs} ${units} (${limits.maxAbsG} g)`, seq);
    }
    axes.push(a);
  }
  const frame: SampleFrame = { seq, t, x: axes[0]!, y: axes[1]!, z: axes[2]! };
  if (value.labels !== undefined) {
    const labels = value.labels;
    if (!Array.isArray(labels)) return fail('invalid', `labels must be an array of strings (got ${describeValue(labels)})`, seq);
    if (labels.length !== n) return fail('invalid', `labels must have one entry per sample (${labels.length} labels for ${n} samples)`, seq);
    for (let i = 0; i < n; i++) {
      const l = labels[i];
      if (l !== null && (typeof l !== 'string' || l.length > MAX_LABEL)) {
        return fail('invalid', `labels[${i}] must be a string of at most ${MAX_LABEL} characters or null (got ${describeValue(l)})`, seq);
      }
    }
    frame.labels = labels.map((l) => (l === null ? undefined : (l as string)));
  }
  return { ok: true, value: frame };
}

export function validateSubscribe(value: unknown): Validated<SubscribeMessage> {
  if (!isRecord(value) || value.type !== 'subscribe') return fail('invalid', 'expected a subscribe message');
  const { devices, token } = value;
  if (token !== undefined && (typeof token !== 'string' || token.length > MAX_TOKEN)) return fail('invalid', `token must be a string of at most ${MAX_TOKEN} characters`);
  const base = token === undefined ? {} : { token };
  if (devices === '*') return { ok: true, value: { type: 'subscribe', devices: '*', ...base } };
  if (!Array.isArray(devices) || devices.length > MAX_SUBSCRIBED_IDS || !devices.every((d) => typeof d === 'string' && DEVICE_ID_PATTERN.test(d))) {
    return fail('invalid', `devices must be "*" or a list of at most ${MAX_SUBSCRIBED_IDS} device ids`);
  }
  return { ok: true, value: { type: 'subscribe', devices: [...devices] as string[], ...base } };
}

// ---- columns ------------------------------------------------------------------------------
// A column is a number[] (JSON, msgpack), a typed array (in-process callers), or raw bytes:
// msgpack frames carry typed arrays as `bin` (little-endian bytes) that decode as Uint8Array.
// Bytes are told apart by length: t is float64 (8 bytes per sample), x/y/z float32 or float64.

type Column = readonly unknown[] | Float32Array | Float64Array | Uint8Array;

function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}

/** Samples in a column, or undefined when it is no column. Byte columns count as float64 here: t's layout. */
function columnLength(v: unknown): number | undefined {
  if (Array.isArray(v)) return v.length;
  if (v instanceof Float64Array || v instanceof Float32Array) return v.length;
  if (isBytes(v)) return v.byteLength % 8 === 0 ? v.byteLength / 8 : undefined;
  return undefined;
}

function toFloat64(column: unknown, n: number): Float64Array | string {
  if (isBytes(column)) return new Float64Array(alignedCopy(column));
  return fillTyped(new Float64Array(n), column as Column);
}

function toFloat32(column: unknown, n: number): Float32Array | string {
  if (isBytes(column)) {
    if (column.byteLength === 4 * n) return new Float32Array(alignedCopy(column));
    if (column.byteLength === 8 * n) return Float32Array.from(new Float64Array(alignedCopy(column)));
    return `holds ${column.byteLength} bytes: expected ${4 * n} (float32) or ${8 * n} (float64) for ${n} samples`;
  }
  return fillTyped(new Float32Array(n), column as Column);
}

function fillTyped<A extends Float32Array | Float64Array>(out: A, column: Column): A | string {
  if (Array.isArray(column)) {
    for (let i = 0; i < out.length; i++) {
      const v = column[i];
      if (typeof v !== 'number') return `[${i}] must be a number (got ${describeValue(v)})`;
      out[i] = v;
    }
    return out;
  }
  out.set(column as ArrayLike<number>);
  return out;
}

/** Decoded bins may sit at any offset of a shared buffer: copy to an aligned one. */
function alignedCopy(bytes: Uint8Array): ArrayBuffer {
  const buf = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(buf).set(bytes);
  return buf;
}

function checkFrameRate(t: Float64Array, limits: ProtocolLimits): string | undefined {
  const n = t.length;
  if (n < MIN_SAMPLES_FOR_RATE_CHECK) return undefined;
  const spanMs = t[n - 1]! - t[0]!;
  const rate = spanMs > 0 ? ((n - 1) * 1000) / spanMs : Infinity;
  if (rate > limits.maxRateHz * RATE_TOLERANCE) {
    return `${n} samples in ${spanMs} ms is ${rate === Infinity ? 'an infinite' : `a ${Math.round(rate)} Hz`} rate; at most ${limits.maxRateHz} Hz is accepted (are the timestamps in ms?)`;
  }
  // Too slow: judged by the median interval, so one pause inside a frame is no reason to refuse it.
  // (Samples hundreds of ms apart would each be stretched over many grid points.)
  const maxIntervalMs = (1000 / limits.minRateHz) * RATE_TOLERANCE;
  let long = 0;
  for (let i = 1; i < n; i++) if (t[i]! - t[i - 1]! > maxIntervalMs) long++;
  if (long > (n - 1) / 2) {
    return `${long} of the ${n - 1} intervals between samples are longer than ${maxIntervalMs} ms: below the slowest accepted rate (${limits.minRateHz} Hz)`;
  }
  return undefined;
}
