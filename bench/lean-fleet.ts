// A light load generator for fleet benchmarks (`har-stream`, `--ramp`): many real WebSocket
// phones on the real protocol (hello, JSON samples frames at 50 Hz in real time, predictions and
// errors back), built to cost the machine little so that the server, not the generator, is what
// a run measures when both share one box. The simulator's PhoneFleet spends ~60 µs of CPU per
// frame (a synthetic phone computed sample by sample, typed arrays through a JSON replacer, a
// 64 KB latency ring per phone): at 16,000 frames/s (4,000 phones) that is a whole core.
// Here each phone replays one of a few synthetic-phone signal loops (simulators/synthetic-phone.ts,
// generated once), whose x/y/z JSON text is formatted ahead of time; a frame costs its timestamps
// and one string concatenation. Timestamps run on each phone's own clock, so windows,
// predictions and latencies are those of live phones.
import WebSocket from 'ws';
import { CloseCode } from '../protocol/close-codes.js';
import type { ErrorCode } from '../protocol/sensor-messages.js';
import type { FleetCounters } from '../simulators/phone-fleet.js';
import { LatencyLog } from '../simulators/latency-log.js';
import { SyntheticPhone } from '../simulators/synthetic-phone.js';
import { SentFrames } from '../simulators/sent-frames.js';

export interface LeanFleetOptions {
  url: string;
  count: number;
  rateHz?: number;
  /** Frames per device-second (4 at 50 Hz = frames of 13 samples). */
  framesPerSecond?: number;
  seed?: number;
  idPrefix?: string;
  /** Distinct signal loops shared by the phones. */
  loops?: number;
  /** Length of each loop, seconds. */
  loopSeconds?: number;
  connectConcurrency?: number;
  connectTimeoutMs?: number;
  tickMs?: number;
  /**
   * 'realtime' (default): every phone sends a frame per frame period. 'max': closed loop, for
   * saturation runs: each phone keeps `maxInFlightWindows` windows awaiting an answer (a
   * prediction or an `overloaded` error) and sends as soon as one comes back.
   */
  speed?: 'realtime' | 'max';
  maxInFlightWindows?: number;
  /** Called on each prediction a phone receives (at: performance.now(); the server's latencyMs), for per-phone timing. */
  onPrediction?: (deviceId: string, at: number, serverLatencyMs: number | undefined) => void;
  /** Called on each error reply a connected phone receives (at: performance.now()). */
  onError?: (deviceId: string, code: ErrorCode | undefined, at: number) => void;
}

/** One phone's account: what it sent, the windows that makes, what came back. */
export interface PhoneCount {
  deviceId: string;
  samples: number;
  /** Windows the server completes from those samples (window and hop from the welcome). */
  windows: number;
  predictions: number;
  /** Still connected (false: the server closed it, e.g. shed as overloaded). */
  open: boolean;
}

/** One loop of a synthetic phone's signal, cut into frames whose x/y/z JSON is ready to send. */
interface SignalLoop {
  /** Per frame: `"x":[…],"y":[…],"z":[…]`. */
  xyz: string[];
  samplesPerFrame: number;
}

/** (device time of a frame's last sample, when it was sent), for client-side latency. */
const TRACKED = 64;
/**
 * A phone whose socket holds more unsent bytes than this (the server is not reading) skips its
 * frame, as a phone app with a full send buffer would: the generator's memory stays bounded
 * instead of growing until it starves the server it shares the machine with.
 */
const MAX_UNSENT_BYTES = 64 * 1024;

interface LeanPhone {
  deviceId: string;
  ws: WebSocket;
  loop: SignalLoop;
  frame: number;
  seq: number;
  /** Device clock of the next sample, ms. */
  nextT: number;
  nextFrameAt: number;
  open: boolean;
  sent: SentFrames;
  /** Closed loop: samples sent, windows answered, and when the last answer came. */
  samples: number;
  answered: number;
  lastAnswerAt: number;
  predictions: number;
}

/** A closed-loop phone that hears nothing for this long assumes its windows were lost. */
const STALL_MS = 2000;

export class LeanFleet {
  readonly latency = new LatencyLog();
  readonly recent = new LatencyLog(4096);
  private readonly phones: LeanPhone[] = [];
  private readonly loops: SignalLoop[] = [];
  private readonly errors: FleetCounters['errors'] = {};
  private predictions = 0;
  private personalPredictions = 0;
  private framesSent = 0;
  private samplesSent = 0;
  private bytesSent = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private stopped = false;
  private readonly rateHz: number;
  private readonly stepMs: number;
  private readonly framePeriodMs: number;
  private readonly startedAt = performance.now();
  private lastConnectError: string | undefined;
  /** The model's window and hop (from the welcome), for closed-loop accounting. */
  private windowSize = 128;
  private hop = 64;

  private constructor(private readonly opts: LeanFleetOptions) {
    this.rateHz = opts.rateHz ?? 50;
    this.stepMs = 1000 / this.rateHz;
    const samplesPerFrame = Math.max(1, Math.round(this.rateHz / (opts.framesPerSecond ?? 4)));
    this.framePeriodMs = samplesPerFrame * this.stepMs;
    const loops = opts.loops ?? 32;
    const frames = Math.max(1, Math.round(((opts.loopSeconds ?? 60) * this.rateHz) / samplesPerFrame));
    for (let k = 0; k < loops; k++) this.loops.push(makeLoop(new SyntheticPhone({ seed: (opts.seed ?? 1) * 7919 + k, rateHz: this.rateHz }), frames, samplesPerFrame));
  }

  /** Connects `count` phones (failures are counted; throws only when none connects) and starts streaming. */
  static async start(opts: LeanFleetOptions): Promise<LeanFleet> {
    if (!(opts.count >= 1)) throw new Error(`phone count must be at least 1 (got ${opts.count})`);
    const fleet = new LeanFleet(opts);
    await fleet.connectAll();
    if (fleet.phones.length === 0) throw new Error(`no phone could connect to ${opts.url}${fleet.lastConnectError ? `: ${fleet.lastConnectError}` : ''}`);
    fleet.timer = setInterval(() => fleet.tick(), opts.tickMs ?? 10);
    return fleet;
  }

  get elapsedSeconds(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  counters(): FleetCounters {
    let connected = 0;
    for (const p of this.phones) if (p.open) connected++;
    return {
      phones: this.opts.count,
      connected,
      framesSent: this.framesSent,
      samplesSent: this.samplesSent,
      bytesSent: this.bytesSent,
      predictions: this.predictions,
      personalPredictions: this.personalPredictions,
      errors: { ...this.errors },
    };
  }

  /** Per phone: samples sent, the windows they make, predictions received. */
  phoneCounts(): PhoneCount[] {
    return this.phones.map((p) => ({ deviceId: p.deviceId, samples: p.samples, windows: this.windowsIn(p.samples), predictions: p.predictions, open: p.open }));
  }

  /** Stops sending but keeps the sockets open, so that windows in flight can still come back. */
  pause(): void {
    clearInterval(this.timer);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all(
      this.phones.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.ws.readyState === WebSocket.CLOSED) return resolve();
            const forced = setTimeout(() => p.ws.terminate(), 2000);
            p.ws.once('close', () => (clearTimeout(forced), resolve()));
            p.ws.close(CloseCode.normal, 'done');
          }),
      ),
    );
  }

  private async connectAll(): Promise<void> {
    const { count } = this.opts;
    let next = 0;
    const worker = async () => {
      while (!this.stopped && next < count) {
        const i = next++;
        try {
          this.phones.push(await this.connectOne(i));
        } catch (err) {
          this.count('connect');
          this.lastConnectError = err instanceof Error ? err.message : String(err);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.connectConcurrency ?? 100, count) }, worker));
  }

  private connectOne(i: number): Promise<LeanPhone> {
    const deviceId = `${this.opts.idPrefix ?? 'bench-phone'}-${String(i + 1).padStart(5, '0')}`;
    const loop = this.loops[i % this.loops.length]!;
    const ws = new WebSocket(this.opts.url, { perMessageDeflate: false });
    const now = performance.now();
    const phone: LeanPhone = {
      deviceId,
      ws,
      loop,
      frame: Math.floor(Math.random() * loop.xyz.length),
      seq: 0,
      nextT: Date.now(),
      // Phones start at random moments within one hop, as real ones do (no fleet-wide bursts).
      nextFrameAt: now + Math.random() * Math.max(this.framePeriodMs, 64 * this.stepMs),
      open: false,
      sent: new SentFrames(TRACKED),
      samples: 0,
      answered: 0,
      lastAnswerAt: now,
      predictions: 0,
    };
    return new Promise<LeanPhone>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`no welcome within ${this.opts.connectTimeoutMs ?? 20_000} ms`)), this.opts.connectTimeoutMs ?? 20_000);
      const fail = (err: Error) => {
        clearTimeout(timer);
        ws.terminate();
        reject(err);
      };
      ws.on('error', (err) => (phone.open ? undefined : fail(err)));
      ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', deviceId, rateHz: this.rateHz, units: 'g', source: 'simulator' })));
      ws.on('close', () => {
        if (phone.open && !this.stopped) this.count('closed');
        phone.open = false;
      });
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        let m: { type?: string; code?: ErrorCode; latencyMs?: number; windowEnd?: number; message?: string; windowSize?: number; hop?: number; source?: string };
        try {
          m = JSON.parse(data.toString());
        } catch {
          return;
        }
        if (m.type === 'prediction') {
          this.predictions++;
          phone.predictions++;
          this.opts.onPrediction?.(deviceId, performance.now(), m.latencyMs);
          if (m.source === 'personal') this.personalPredictions++;
          const clientMs = phone.sent.latencyFor(m.windowEnd ?? NaN);
          this.latency.add(m.latencyMs, clientMs);
          this.recent.add(m.latencyMs, clientMs);
          this.answer(phone);
        } else if (m.type === 'error') {
          if (!phone.open) return fail(new Error(`server refused ${deviceId}: ${m.code}: ${m.message}`));
          this.count(m.code ?? 'internal');
          this.opts.onError?.(deviceId, m.code, performance.now());
          if (m.code === 'overloaded') this.answer(phone);
        } else if (m.type === 'welcome' && !phone.open) {
          clearTimeout(timer);
          this.windowSize = m.windowSize ?? this.windowSize;
          this.hop = m.hop ?? this.hop;
          phone.open = true;
          resolve(phone);
        }
      });
    });
  }

  private answer(p: LeanPhone): void {
    p.answered++;
    p.lastAnswerAt = performance.now();
    if (this.opts.speed === 'max' && !this.stopped && p.open) this.feed(p, p.lastAnswerAt);
  }

  /** Closed loop: sends until the phone has maxInFlightWindows windows unanswered. */
  private feed(p: LeanPhone, now: number): void {
    const limit = this.opts.maxInFlightWindows ?? 4;
    while (p.open && this.windowsIn(p.samples) - p.answered < limit) {
      if (!this.send(p, now)) break;
    }
  }

  private tick(): void {
    if (this.stopped) return;
    const now = performance.now();
    for (const p of this.phones) {
      if (!p.open) continue;
      if (this.opts.speed === 'max') {
        if (now - p.lastAnswerAt > STALL_MS) {
          p.answered = this.windowsIn(p.samples); // forget windows that never came back
          p.lastAnswerAt = now;
        }
        this.feed(p, now);
        continue;
      }
      let budget = 4; // catch up on a few missed periods, never burst
      while (now >= p.nextFrameAt && budget-- > 0) {
        this.send(p, now);
        p.nextFrameAt += this.framePeriodMs;
      }
      if (now - p.nextFrameAt > 1000) p.nextFrameAt = now;
    }
  }

  /** Sends the phone's next frame; false when its socket is too far behind to take it. */
  private send(p: LeanPhone, now: number): boolean {
    const n = p.loop.samplesPerFrame;
    if (p.ws.bufferedAmount > MAX_UNSENT_BYTES) {
      if (this.opts.speed === 'max') return false; // closed loop: wait for the socket
      p.nextT += n * this.stepMs; // those samples are lost, like a phone's
      p.frame = (p.frame + 1) % p.loop.xyz.length;
      this.count('backpressure');
      return false;
    }
    let t = '';
    for (let i = 0; i < n; i++) t += (i ? ',' : '') + Math.round((p.nextT + i * this.stepMs) * 1000) / 1000;
    const lastT = p.nextT + (n - 1) * this.stepMs;
    const text = `{"type":"samples","seq":${p.seq++},"t":[${t}],${p.loop.xyz[p.frame]!}}`;
    p.frame = (p.frame + 1) % p.loop.xyz.length;
    p.nextT += n * this.stepMs;
    p.ws.send(text);
    this.framesSent++;
    this.samplesSent += n;
    p.samples += n;
    this.bytesSent += text.length;
    p.sent.track(lastT, now);
    return true;
  }

  /** Windows the server completes from this many samples. */
  private windowsIn(samples: number): number {
    return samples < this.windowSize ? 0 : Math.floor((samples - this.windowSize) / this.hop) + 1;
  }

  private count(code: keyof FleetCounters['errors'] | 'backpressure'): void {
    const errors = this.errors as Record<string, number>;
    errors[code] = (errors[code] ?? 0) + 1;
  }
}

/** `frames` frames of a synthetic phone, each as its x/y/z JSON members (values to 1e-5 g, like DeviceClient sends). */
function makeLoop(phone: SyntheticPhone, frames: number, samplesPerFrame: number): SignalLoop {
  const xyz: string[] = [];
  const fmt = (a: Float32Array) => Array.from(a, (v) => Math.round(v * 1e5) / 1e5).join(',');
  for (let f = 0; f < frames; f++) {
    const s = phone.next(samplesPerFrame);
    xyz.push(`"x":[${fmt(s.x)}],"y":[${fmt(s.y)}],"z":[${fmt(s.z)}]`);
  }
  return { xyz, samplesPerFrame };
}
