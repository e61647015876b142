// The WebSocket devices' sessions by device id, including those whose connection dropped less
// than `graceMs` ago: a device that comes back with the same id (and the same units and rate)
// within that time continues its session, so a flaky link costs no window and repeats none.
// At shutdown every session is closed: its pipeline finishes and its last predictions go out.
import type { HelloMessage } from '../../protocol/sensor-messages.js';
import type { ValidationError } from '../../protocol/validate-sensor.js';
import type { RateLimitConfig } from '../config.js';
import type { Log } from '../log.js';
import type { DeviceSession, DeviceSessionOptions } from './device-session.js';
import { DEFAULT_LOAD_SHEDDING, LoadShedder, type LoadShedderOptions } from './load-shedder.js';
import { DeviceRateLimits } from './token-bucket.js';

/** What the store needs around it; each a narrow piece, so tests can fake it. */
export interface SessionStoreDeps {
  /** Starts a fresh session (DeviceSession.open with its dependencies). */
  openSession(hello: HelloMessage, opts: DeviceSessionOptions): { ok: true; session: DeviceSession } | { ok: false; error: ValidationError };
  /** How long a dropped device's session waits for it, ms (0: ends at once). */
  graceMs: number;
  rateLimit: RateLimitConfig;
  /** Windows served and refused so far by inference (the load shedder's signal). */
  inferenceLoad(): { served: number; rejected: number };
  log: Log;
  shedding?: LoadShedderOptions;
}

interface Entry {
  session: DeviceSession;
  /** Set while detached: when the grace period ends. */
  expiry?: ReturnType<typeof setTimeout>;
  /** Whose token opened it (security/auth.ts Principal id): only that token resumes it. */
  owner: string;
}

export type OpenResult = { ok: true; session: DeviceSession; resumed: boolean } | { ok: false; error: ValidationError };

export class SessionStore {
  private readonly entries = new Map<string, Entry>();
  /** Sessions resumed so far (metrics). */
  resumed = 0;
  /** Sheds attached devices when the event loop cannot keep up; new devices are refused meanwhile. */
  readonly shedder: LoadShedder;
  /** Frame and sample buckets by device id: they outlive connections, so a reconnect does not refill them. */
  readonly rateLimits: DeviceRateLimits;

  private readonly graceMs: number;

  constructor(private readonly deps: SessionStoreDeps) {
    const { rateLimit, log } = deps;
    this.graceMs = deps.graceMs;
    const framesPerSec = framesPerSecond(rateLimit);
    this.rateLimits = new DeviceRateLimits({ samplesPerSec: rateLimit.samplesPerSec, burstSamples: rateLimit.burstSamples, framesPerSec, burstFrames: 2 * framesPerSec });
    this.shedder = new LoadShedder(
      () => this.attached(),
      deps.shedding ?? DEFAULT_LOAD_SHEDDING,
      (e) => log.warn({ lagMs: Math.round(e.lagMs), shedTotal: e.shed }, e.overloaded ? 'overloaded: shedding the newest devices' : 'load back to normal: admitting devices'),
      () => deps.inferenceLoad(),
    );
  }

  private *attached(): Iterable<DeviceSession> {
    for (const e of this.entries.values()) if (!e.expiry && e.session.attached && !e.session.shedding) yield e.session;
  }

  /** Sessions held for a device that may come back. */
  get detachedCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.expiry) n++;
    return n;
  }

  get size(): number {
    return this.entries.size;
  }

  /** A fresh session, or the device's detached one when it is compatible. */
  open(hello: HelloMessage, opts: DeviceSessionOptions, owner = 'open'): OpenResult {
    const existing = this.entries.get(hello.deviceId);
    if (existing?.expiry) {
      // Another token holder must not take over (or end) a session waiting for its device.
      if (existing.owner !== owner) return { ok: false, error: { code: 'id-in-use', message: `device '${hello.deviceId}' is waiting for its own connection to return; only the token that opened it may resume it` } };
      clearTimeout(existing.expiry);
      existing.expiry = undefined;
      if (!existing.session.closed && existing.session.compatibleWith(hello)) {
        existing.session.attach(opts);
        this.resumed++;
        return { ok: true, session: existing.session, resumed: true };
      }
      this.forget(existing); // same id, different stream (or the session failed meanwhile): start over
    }
    const opened = this.deps.openSession(hello, opts);
    if (!opened.ok) return opened;
    this.entries.set(hello.deviceId, { session: opened.session, owner });
    return { ok: true, session: opened.session, resumed: false };
  }

  /** The device's connection closed: hold the session for the grace period (or close it at once). */
  release(session: DeviceSession, opts: { keep: boolean } = { keep: true }): void {
    const entry = this.entries.get(session.info.deviceId);
    if (!entry || entry.session !== session) {
      void session.close();
      return;
    }
    session.detach();
    if (!opts.keep || this.graceMs <= 0 || session.closed) return this.forget(entry);
    entry.expiry = setTimeout(() => this.forget(entry), this.graceMs);
    entry.expiry.unref();
  }

  /** The live session of a device (for the recording routes). */
  get(deviceId: string): DeviceSession | undefined {
    return this.entries.get(deviceId)?.session;
  }

  sessions(): DeviceSession[] {
    return [...this.entries.values()].map((e) => e.session);
  }

  /**
   * Closes every session: pipelines finish (attached devices get their last predictions) within
   * `timeoutMs`; resolves with the sessions that had not finished by then.
   */
  async closeAll(timeoutMs: number): Promise<number> {
    this.shedder.stop();
    const all = [...this.entries.values()];
    this.entries.clear();
    let unfinished = all.length;
    const closing = Promise.all(
      all.map(async (e) => {
        clearTimeout(e.expiry);
        await e.session.close();
        unfinished--;
      }),
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([closing, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    return unfinished;
  }

  private forget(entry: Entry): void {
    clearTimeout(entry.expiry);
    entry.expiry = undefined;
    if (this.entries.get(entry.session.info.deviceId) === entry) this.entries.delete(entry.session.info.deviceId);
    void entry.session.close();
  }
}

/** Samples per frame a device sends on average, at least, under the default frame-rate limit. */
const MIN_MEAN_SAMPLES_PER_FRAME = 4;

/** Frames per second a device may send (bursts of twice that): configured, or samples/s ÷ 4. */
export function framesPerSecond(rateLimit: RateLimitConfig): number {
  return rateLimit.framesPerSec ?? rateLimit.samplesPerSec / MIN_MEAN_SAMPLES_PER_FRAME;
}
