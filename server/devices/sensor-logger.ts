// Sensor Logger (the phone app) "HTTP push" support: each POST carries a batch of readings of
// all enabled sensors; we keep `totalacceleration` (m/s2, gravity included, which is what the
// model needs) and feed it to the same pipeline as a WebSocket device named
// `sensor-logger:<deviceId>`. Predictions go to dashboards (HTTP can't stream them back). A
// device that stops posting leaves the device list after `idleMs`.
import type { Placement, PredictionMessage, ServerToDevice } from '../../protocol/sensor-messages.js';
import type { ValidationError } from '../../protocol/validate-sensor.js';
import type { ServerConfig } from '../config.js';
import type { DeviceSession, DeviceSessionOptions } from './device-session.js';
import type { DeviceRateLimits } from './device-rate-limits.js';

/** What Sensor Logger streams need: sessions to open, the per-id rate buckets, counters, settings. */
export interface SensorLoggerDeps {
  /** Starts a session (DeviceSession.open with its dependencies). */
  openSession(hello: Parameters<typeof DeviceSession.open>[0], opts: DeviceSessionOptions): ReturnType<typeof DeviceSession.open>;
  rateLimits: Pick<DeviceRateLimits, 'of'>;
  stats: { recordFrame(samples: number): void };
  config: Pick<ServerConfig, 'rateLimit' | 'limits' | 'sensorLogger'>;
}

export interface SensorLoggerEntry {
  name: string;
  /** Epoch nanoseconds (number or decimal string). */
  time: number | string;
  values?: Record<string, unknown>;
}

export interface SensorLoggerBody {
  messageId?: number | string;
  sessionId?: string;
  deviceId: string;
  payload: SensorLoggerEntry[];
}

export interface SensorLoggerResult {
  status: 200 | 400 | 409 | 429 | 503;
  body: {
    deviceId: string;
    /** totalacceleration readings fed to the pipeline. */
    accepted: number;
    /** Readings of other sensors (or malformed ones), not used. */
    ignored: number;
    /** totalacceleration readings not later than what this device already sent. */
    dropped: number;
    warnings: string[];
    error?: ValidationError;
    lastPrediction?: PredictionMessage;
  };
}

const TOTAL = 'totalacceleration';
const GRAVITY_REMOVED = 'accelerometer';

interface LoggerDevice {
  session: DeviceSession;
  seq: number;
  lastT: number;
  idle: ReturnType<typeof setTimeout> | undefined;
  /** Errors the pipeline reported while the current POST was pushed. */
  errors: ValidationError[];
  /** Whose token started the stream (security/auth.ts Principal id): only it may push to it. */
  owner: string;
}

export class SensorLoggerDevices {
  private readonly devices = new Map<string, LoggerDevice>();

  constructor(private readonly deps: SensorLoggerDeps) {}

  /** `placement`: where the phone is (the push URL's ?placement=), for the stream's hello. */
  ingest(body: SensorLoggerBody, receivedAt: number, owner = 'open', placement?: Placement): SensorLoggerResult {
    const deviceId = `sensor-logger:${body.deviceId}`;
    const result: SensorLoggerResult = { status: 200, body: { deviceId, accepted: 0, ignored: 0, dropped: 0, warnings: [] } };
    const readings = extractTotalAcceleration(body.payload);
    result.body.ignored = body.payload.length - readings.t.length;
    if (readings.t.length === 0) {
      const gravityRemoved = body.payload.some((e) => e.name.toLowerCase() === GRAVITY_REMOVED);
      result.body.warnings.push(
        gravityRemoved
          ? `only '${GRAVITY_REMOVED}' readings arrived: they have gravity removed, and the model needs it included; enable 'TotalAcceleration' in Sensor Logger`
          : `no '${TOTAL}' readings in this batch; enable 'TotalAcceleration' in Sensor Logger`,
      );
      return result;
    }
    const device = this.deviceFor(deviceId, body, readings.t, owner, placement);
    if ('error' in device) {
      result.status = device.error.code === 'overloaded' ? 503 : device.error.code === 'id-in-use' ? 409 : 400;
      result.body.error = device.error;
      return result;
    }
    // The device's bucket by id (SessionStore.rateLimits): a stream that went idle and restarts is not refilled.
    if (!this.deps.rateLimits.of(deviceId).samples.take(readings.t.length)) {
      result.status = 429;
      result.body.error = { code: 'rate-limited', message: `more than ${this.deps.config.rateLimit.samplesPerSec} samples/s` };
      return result;
    }
    this.touch(deviceId, device);

    // Readings come sorted by time (extractTotalAcceleration); drop what overlaps earlier posts.
    let start = 0;
    while (start < readings.t.length && readings.t[start]! <= device.lastT) start++;
    result.body.dropped = start;
    const max = this.deps.config.limits.maxSamplesPerFrame;
    device.errors.length = 0;
    for (let from = start; from < readings.t.length; from += max) {
      const to = Math.min(readings.t.length, from + max);
      const frame = { type: 'samples', seq: device.seq++, t: readings.t.slice(from, to), x: readings.x.slice(from, to), y: readings.y.slice(from, to), z: readings.z.slice(from, to) };
      device.session.push(frame, receivedAt); // validation runs synchronously: errors land in device.errors
      this.deps.stats.recordFrame(to - from);
      if (device.errors.length > 0) break;
      result.body.accepted += to - from;
      device.lastT = readings.t[to - 1]!;
    }
    if (device.errors.length > 0) {
      result.status = 400;
      result.body.error = device.errors[0];
    }
    if (device.session.lastPrediction) result.body.lastPrediction = device.session.lastPrediction;
    return result;
  }

  get size(): number {
    return this.devices.size;
  }

  /** The session of a Sensor Logger device (`sensor-logger:<id>`), if it is posting. */
  session(deviceId: string): DeviceSession | undefined {
    return this.devices.get(deviceId)?.session;
  }

  async close(): Promise<void> {
    const all = [...this.devices.values()];
    this.devices.clear();
    for (const d of all) clearTimeout(d.idle);
    await Promise.all(all.map((d) => d.session.close()));
  }

  private deviceFor(deviceId: string, body: SensorLoggerBody, t: number[], owner: string, placement?: Placement): LoggerDevice | { error: ValidationError } {
    const existing = this.devices.get(deviceId);
    if (existing?.owner === owner) return existing;
    if (existing) return { error: { code: 'id-in-use', message: `'${deviceId}' is being streamed with another token` } };
    const { limits } = this.deps.config;
    const spanMs = t.length > 1 ? t[t.length - 1]! - t[0]! : 0;
    const estimated = spanMs > 0 ? ((t.length - 1) * 1000) / spanMs : 100;
    const rateHz = Math.round(Math.min(limits.maxRateHz, Math.max(limits.minRateHz, estimated)));
    const errors: ValidationError[] = [];
    const send = (m: ServerToDevice) => {
      if (m.type === 'error') errors.push(m.seq === undefined ? { code: m.code, message: m.message } : { code: m.code, message: m.message, seq: m.seq });
    };
    const description = `Sensor Logger${body.sessionId ? ` session ${String(body.sessionId).slice(0, 60)}` : ''}`;
    const hello = { type: 'hello' as const, deviceId, rateHz, units: 'm/s2' as const, source: 'sensor-logger' as const, description, ...(placement ? { placement } : {}) };
    const opened = this.deps.openSession(hello, {
      send,
      onCrash: () => this.forget(deviceId),
    });
    if (!opened.ok) return { error: opened.error };
    const device: LoggerDevice = { session: opened.session, seq: 0, lastT: -Infinity, errors, owner, idle: undefined };
    this.devices.set(deviceId, device);
    return device;
  }

  private touch(deviceId: string, device: LoggerDevice): void {
    clearTimeout(device.idle);
    device.idle = setTimeout(() => this.forget(deviceId), this.deps.config.sensorLogger.idleMs);
    device.idle.unref();
  }

  private forget(deviceId: string): void {
    const device = this.devices.get(deviceId);
    if (!device) return;
    clearTimeout(device.idle);
    this.devices.delete(deviceId);
    void device.session.close();
  }
}

/** The totalacceleration readings of a payload as columns sorted by time (ms); malformed ones are skipped. */
export function extractTotalAcceleration(payload: readonly SensorLoggerEntry[]): { t: number[]; x: number[]; y: number[]; z: number[] } {
  const rows: [number, number, number, number][] = [];
  for (const e of payload) {
    if (e.name.toLowerCase() !== TOTAL || !e.values) continue;
    const { x, y, z } = e.values;
    const t = nanosToMs(e.time);
    if (typeof x !== 'number' || typeof y !== 'number' || typeof z !== 'number' || t === undefined) continue;
    rows.push([t, x, y, z]);
  }
  rows.sort((a, b) => a[0] - b[0]);
  return { t: rows.map((r) => r[0]), x: rows.map((r) => r[1]), y: rows.map((r) => r[2]), z: rows.map((r) => r[3]) };
}

/** Epoch ns -> ms. Strings keep full precision through BigInt; numbers are already rounded by JSON. */
export function nanosToMs(time: number | string): number | undefined {
  if (typeof time === 'number') return Number.isFinite(time) ? time / 1e6 : undefined;
  if (!/^\d{1,25}$/.test(time)) return undefined;
  const ns = BigInt(time);
  return Number(ns / 1000n) / 1000;
}
