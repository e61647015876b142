// A fleet of synthetic phones, each a real WebSocket device client, paced by one timer.
// Two pacing modes:
//  - real time (speed 1, or a fixed multiple): every phone sends a frame per frame period with
//    the samples that came due, like a phone app does (e.g. 10 frames/s of 5 samples at 50 Hz);
//  - closed loop ('max'): each phone keeps at most `maxInFlightWindows` windows awaiting a
//    prediction, so the server always has work queued but is never flooded (saturation tests).
// Phones are carried at the waist, in a trouser pocket, or mixed (every other phone in a pocket);
// each says where in its hello. Given several server URLs (gateways), phone i starts on URL
// i mod n and fails over to the next one when its connection drops (failover-device.ts).
import type { Encoding } from '../protocol/codec.js';
import type { ErrorCode, PredictionMessage } from '../protocol/sensor-messages.js';
import { activitiesOf, SIM_PLACEMENTS, type SimPlacement } from './activity-profiles.js';
import type { ScriptSegment } from './activity-script.js';
import type { RotationOptions } from '../protocol/server-rotation.js';
import { FailoverDevice } from './failover-device.js';
import { LatencyLog } from './latency-log.js';
import { SyntheticPhone } from './synthetic-phone.js';

export const FLEET_PLACEMENTS = [...SIM_PLACEMENTS, 'mixed'] as const;
export type FleetPlacement = (typeof FLEET_PLACEMENTS)[number];

/** Where phone number `index` (from 0) of a fleet is carried: mixed puts even ones in a pocket. */
export function placementOfPhone(placement: FleetPlacement, index: number): SimPlacement {
  return placement === 'mixed' ? (index % 2 === 0 ? 'pocket' : 'waist') : placement;
}

/** Throws a clear error when a script asks for an activity some of the fleet's placements lack. */
export function checkScriptFits(placement: FleetPlacement, count: number, script: readonly ScriptSegment[] | undefined): void {
  if (!script) return;
  const placements = new Set(Array.from({ length: Math.min(count, 2) }, (_, i) => placementOfPhone(placement, i)));
  for (const p of placements) {
    const can = activitiesOf(p);
    const missing = [...new Set(script.map((seg) => seg.activity))].filter((a) => !can.includes(a));
    if (missing.length)
      throw new Error(`the script has ${missing.join(', ')}, which a ${p} phone cannot do (no ${p} profile; it can do ${can.join(', ')})${placement === 'mixed' ? ': use placement pocket' : ''}`);
  }
}

export interface PhoneFleetOptions {
  /** Device endpoint(s): several spread the phones over them and let them fail over. */
  url: string | readonly string[];
  /** Reconnect a dropped phone to the next URL (default: when more than one URL is given). */
  reconnect?: boolean;
  /** Backoff between reconnects (the start index is the phone's number). */
  rotation?: Omit<RotationOptions, 'startIndex'>;
  /** Frames a phone keeps while reconnecting (default 100). */
  maxBufferedFrames?: number;
  count: number;
  rateHz?: number;
  encoding?: Encoding;
  /** Frames per device-second (10 at 50 Hz = frames of 5 samples). */
  framesPerSecond?: number;
  /** Multiple of real time, or 'max' for closed-loop saturation. */
  speed?: number | 'max';
  /** Closed loop: windows a phone may have awaiting prediction. */
  maxInFlightWindows?: number;
  seed?: number;
  idPrefix?: string;
  /** Send ground-truth labels (the server then reports `truth`; demos show accuracy). */
  labels?: boolean;
  script?: readonly ScriptSegment[];
  /** Where the phones are carried (default waist). */
  placement?: FleetPlacement;
  /** Connections opened at once while the fleet starts. */
  connectConcurrency?: number;
  latencyCapacity?: number;
  onPrediction?: (deviceId: string, prediction: PredictionMessage, clientLatencyMs: number | undefined, placement: SimPlacement) => void;
  /** Tick of the pacing timer, ms. */
  tickMs?: number;
}

export interface FleetCounters {
  phones: number;
  connected: number;
  framesSent: number;
  samplesSent: number;
  bytesSent: number;
  predictions: number;
  /** Predictions made by a device's personal head (prediction.source 'personal'), when counted. */
  personalPredictions?: number;
  errors: Partial<Record<ErrorCode | 'connect' | 'closed', number>>;
  /** Connections welcomed after a phone's first (failover), and how many of them resumed the session. */
  reconnects?: number;
  resumed?: number;
  /** Frames produced while reconnecting: sent after the reconnect, or dropped (queue full). */
  framesResent?: number;
  framesDropped?: number;
  /** Connected phones per server URL. */
  perUrl?: Record<string, number>;
}

interface FleetPhone {
  phone: SyntheticPhone;
  client: FailoverDevice;
  /** performance.now() of the next frame (real-time pacing). */
  nextFrameAt: number;
  /** Windows answered by a prediction or an 'overloaded' drop (closed-loop accounting). */
  answered: number;
  lastAnswerAt: number;
}

/** If a closed-loop phone hears nothing for this long, it assumes its windows were lost. */
const STALL_MS = 2000;

export class PhoneFleet {
  /** Whole-run latencies (bench); `recent` is a small ring for status lines. */
  readonly latency: LatencyLog;
  readonly recent = new LatencyLog(4096);
  private readonly phones: FleetPhone[] = [];
  private readonly errors: FleetCounters['errors'] = {};
  private predictions = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private stopped = false;
  private readonly rateHz: number;
  private readonly framePeriodMs: number;
  private readonly samplesPerFrame: number;
  private readonly speed: number | 'max';
  private readonly startedAt = performance.now();
  private windowSize = 128;
  private hop = 64;

  private constructor(private readonly opts: PhoneFleetOptions) {
    this.rateHz = opts.rateHz ?? 50;
    const fps = opts.framesPerSecond ?? 10;
    this.samplesPerFrame = Math.max(1, Math.round(this.rateHz / fps));
    this.framePeriodMs = (1000 * this.samplesPerFrame) / this.rateHz;
    this.speed = opts.speed ?? 1;
    this.latency = new LatencyLog(opts.latencyCapacity);
  }

  /** Connects `count` phones (failures are counted, not thrown, unless none connects) and starts streaming. */
  static async start(opts: PhoneFleetOptions): Promise<PhoneFleet> {
    if (!(opts.count >= 1)) throw new Error(`phone count must be at least 1 (got ${opts.count})`);
    checkScriptFits(opts.placement ?? 'waist', opts.count, opts.script);
    const fleet = new PhoneFleet(opts);
    await fleet.connectAll();
    if (fleet.phones.length === 0) {
      throw new Error(`no phone could connect to ${[opts.url].flat().join(', ')}${fleet.lastConnectError ? `: ${fleet.lastConnectError}` : ''}`);
    }
    fleet.timer = setInterval(() => fleet.tick(), opts.tickMs ?? 10);
    return fleet;
  }

  private lastConnectError: string | undefined;

  private async connectAll(): Promise<void> {
    const { count, seed = 1, idPrefix = 'sim-phone' } = this.opts;
    const concurrency = this.opts.connectConcurrency ?? 50;
    let nextIndex = 0;
    const worker = async () => {
      while (!this.stopped && nextIndex < count) {
        const i = nextIndex++;
        try {
          this.phones.push(await this.connectOne(i, seed, idPrefix));
        } catch (err) {
          this.count('connect');
          this.lastConnectError = err instanceof Error ? err.message : String(err);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  }

  private async connectOne(i: number, seed: number, idPrefix: string): Promise<FleetPhone> {
    const placement = placementOfPhone(this.opts.placement ?? 'waist', i);
    const phone = new SyntheticPhone({ seed: seed * 100_003 + i, rateHz: this.rateHz, script: this.opts.script, startTimeMs: Date.now(), placement });
    const deviceId = `${idPrefix}-${String(i + 1).padStart(4, '0')}`;
    const first = phone.script[0]!;
    const mount = phone.traits.pocket
      ? `in a ${phone.traits.pocket.leg} pocket${phone.traits.pocket.upsideDown ? ', upside down' : ''}${phone.traits.pocket.crosswise ? ', crosswise' : ''}`
      : `at the waist, mount tilt ${phone.traits.mountAngleDeg.toFixed(0)} deg`;
    let entry: FleetPhone | undefined;
    const client = await FailoverDevice.connect({
      urls: [this.opts.url].flat(),
      reconnect: this.opts.reconnect,
      rotation: { ...this.opts.rotation, startIndex: i },
      maxBufferedFrames: this.opts.maxBufferedFrames,
      encoding: this.opts.encoding,
      hello: {
        deviceId,
        rateHz: this.rateHz,
        units: 'g',
        source: 'simulator',
        hasLabels: this.opts.labels ?? false,
        placement,
        description: `synthetic phone #${i + 1} (${mount}; ${first.activity} first)`,
      },
      onPrediction: (p, clientMs) => {
        this.predictions++;
        this.latency.add(p.latencyMs, clientMs);
        this.recent.add(p.latencyMs, clientMs);
        if (entry) this.answer(entry);
        this.opts.onPrediction?.(deviceId, p, clientMs, placement);
      },
      onError: (e) => {
        this.count(e.code);
        if (e.code === 'overloaded' && entry) this.answer(entry);
      },
      onClose: () => {
        if (!this.stopped) this.count('closed');
      },
    });
    this.windowSize = client.welcome.windowSize;
    this.hop = client.welcome.hop;
    // Phones start at random moments within one hop, as real ones would: otherwise a fleet that
    // connected at once completes its windows in step and the server sees bursts.
    const spreadMs = Math.max(this.framePeriodMs, (1000 * this.hop) / this.rateHz) / (this.speed === 'max' ? Infinity : this.speed);
    entry = { phone, client, nextFrameAt: performance.now() + Math.random() * spreadMs, answered: 0, lastAnswerAt: performance.now() };
    return entry;
  }

  private answer(p: FleetPhone): void {
    p.answered++;
    p.lastAnswerAt = performance.now();
    if (this.speed === 'max' && !this.stopped) this.feedClosedLoop(p);
  }

  private tick(): void {
    if (this.stopped) return;
    const now = performance.now();
    for (const p of this.phones) {
      if (p.client.closed) continue;
      if (this.speed === 'max') {
        if (!p.client.connected) continue; // reconnecting: no window could be answered
        if (now - p.lastAnswerAt > STALL_MS) {
          p.answered = this.expectedWindows(p.client.stats.samplesSent); // forget lost windows
          p.lastAnswerAt = now;
        }
        this.feedClosedLoop(p);
        continue;
      }
      // Real time: catch up on every frame period that has passed (at most a few per tick).
      let budget = 4;
      while (now >= p.nextFrameAt && budget-- > 0) {
        this.sendFrame(p);
        p.nextFrameAt += this.framePeriodMs / this.speed;
      }
      if (now - p.nextFrameAt > 1000) p.nextFrameAt = now; // we fell behind badly: don't burst
    }
  }

  private feedClosedLoop(p: FleetPhone): void {
    const limit = this.opts.maxInFlightWindows ?? 4;
    while (!p.client.closed && this.expectedWindows(p.client.stats.samplesSent) - p.answered < limit) {
      if (this.sendFrame(p) < 0) break; // socket closing
    }
  }

  /** The phone's next frame; labels travel only when the fleet says it has them. */
  private sendFrame(p: FleetPhone): number {
    const s = p.phone.next(this.samplesPerFrame);
    return p.client.send(this.opts.labels ? s : { t: s.t, x: s.x, y: s.y, z: s.z });
  }

  private expectedWindows(samples: number): number {
    return samples < this.windowSize ? 0 : Math.floor((samples - this.windowSize) / this.hop) + 1;
  }

  private count(code: keyof FleetCounters['errors']): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  counters(): FleetCounters {
    const c: FleetCounters = { phones: this.opts.count, connected: 0, framesSent: 0, samplesSent: 0, bytesSent: 0, predictions: this.predictions, errors: { ...this.errors } };
    const perUrl: Record<string, number> = {};
    let reconnects = 0;
    let resumed = 0;
    let framesResent = 0;
    let framesDropped = 0;
    for (const p of this.phones) {
      const stats = p.client.stats;
      if (p.client.connected) c.connected++;
      const url = p.client.url;
      if (url !== undefined) perUrl[url] = (perUrl[url] ?? 0) + 1;
      c.framesSent += stats.framesSent;
      c.samplesSent += stats.samplesSent;
      c.bytesSent += stats.bytesSent;
      reconnects += stats.reconnects;
      resumed += stats.resumed;
      framesResent += stats.framesResent;
      framesDropped += stats.framesDropped;
    }
    return { ...c, reconnects, resumed, framesResent, framesDropped, perUrl };
  }

  /** Each phone's server URL (undefined while it reconnects) and its reconnects so far. */
  devices(): { deviceId: string; url: string | undefined; reconnects: number; resumed: number }[] {
    return this.phones.map((p) => ({ deviceId: p.client.deviceId, url: p.client.url, reconnects: p.client.stats.reconnects, resumed: p.client.stats.resumed }));
  }

  get elapsedSeconds(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  /** Stops sending and closes every connection. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all(this.phones.map((p) => p.client.close()));
  }
}
