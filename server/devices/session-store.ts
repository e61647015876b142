// The WebSocket devices' sessions by device id, including those whose connection dropped less
// than `graceMs` ago: a device that comes back with the same id (and the same units and rate)
// within that time continues its session, so a flaky link costs no window and repeats none.
// At shutdown every session is closed: its pipeline finishes and its last predictions go out.
import type { HelloMessage } from '../../protocol/sensor-messages.js';
import type { ValidationError } from '../../protocol/validate-sensor.js';
import type { RateLimitConfig } from '../config.js';
import type { SessionDirectory, SessionSnapshot } from '../cluster/session-directory.js';
import { SNAPSHOT_INTERVAL_MS } from '../cluster/session-directory.js';
import type { DeviceSession, DeviceSessionOptions, HeldPrediction } from './device-session.js';
import { DeviceRateLimits } from './device-rate-limits.js';

/** What the store needs around it; each a narrow piece, so tests can fake it. */
export interface SessionStoreDeps {
  /** Starts a session (DeviceSession.open with its dependencies); `carried`: predictions held by another gateway. */
  openSession(hello: HelloMessage, opts: DeviceSessionOptions, carried?: readonly HeldPrediction[]): { ok: true; session: DeviceSession } | { ok: false; error: ValidationError };
  /** How long a dropped device's session waits for it, ms (0: ends at once). */
  graceMs: number;
  rateLimit: RateLimitConfig;
  /** In a cluster: the sessions other gateways saved, and where this one saves its own (server/cluster/). */
  directory?: { sessions: SessionDirectory; gatewayId: string };
}

interface Entry {
  session: DeviceSession;
  /** Set while detached: when the grace period ends. */
  expiry?: ReturnType<typeof setTimeout>;
  /** Whose token opened it (security/auth.ts Principal id): only that token resumes it. */
  owner: string;
  /** The session's version when its snapshot was last saved to the cluster's directory. */
  savedVersion?: number;
}

export type OpenResult = { ok: true; session: DeviceSession; resumed: boolean } | { ok: false; error: ValidationError };

export class SessionStore {
  private readonly entries = new Map<string, Entry>();
  /** Sessions resumed so far (metrics). */
  resumed = 0;
  /** Frame and sample buckets by device id: they outlive connections, so a reconnect does not refill them. */
  readonly rateLimits: DeviceRateLimits;

  private readonly graceMs: number;
  private readonly snapshotTimer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly deps: SessionStoreDeps) {
    const { rateLimit } = deps;
    this.graceMs = deps.graceMs;
    const framesPerSec = framesPerSecond(rateLimit);
    this.rateLimits = new DeviceRateLimits({ samplesPerSec: rateLimit.samplesPerSec, burstSamples: rateLimit.burstSamples, framesPerSec, burstFrames: 2 * framesPerSec });
    if (deps.directory) {
      this.snapshotTimer = setInterval(() => this.saveChanged(), SNAPSHOT_INTERVAL_MS);
      this.snapshotTimer.unref();
    }
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

  /**
   * In a cluster, for a device with no session here: the snapshot another gateway saved of its
   * session (undefined: none, or no cluster — then open() needs no wait).
   */
  findElsewhere(deviceId: string): Promise<SessionSnapshot | undefined> | undefined {
    if (!this.deps.directory || this.entries.has(deviceId)) return undefined;
    return this.deps.directory.sessions.find(deviceId);
  }

  /**
   * A fresh session, the device's detached one when it is compatible, or (in a cluster) the
   * continuation of the session another gateway held (`elsewhere`, from findElsewhere).
   */
  open(hello: HelloMessage, opts: DeviceSessionOptions, owner = 'open', elsewhere?: SessionSnapshot): OpenResult {
    const existing = this.entries.get(hello.deviceId);
    if (existing?.expiry) {
      // Another token holder must not take over (or end) a session waiting for its device.
      if (existing.owner !== owner)
        return { ok: false, error: { code: 'id-in-use', message: `device '${hello.deviceId}' is waiting for its own connection to return; only the token that opened it may resume it` } };
      clearTimeout(existing.expiry);
      existing.expiry = undefined;
      if (!existing.session.closed && existing.session.compatibleWith(hello)) {
        existing.session.attach(opts);
        this.resumed++;
        return { ok: true, session: existing.session, resumed: true };
      }
      this.forget(existing); // same id, different stream (or the session failed meanwhile): start over
    }
    let carried: readonly HeldPrediction[] | undefined;
    if (elsewhere && !this.entries.has(hello.deviceId)) {
      if (elsewhere.owner !== owner)
        return { ok: false, error: { code: 'id-in-use', message: `device '${hello.deviceId}' has a session on another gateway; only the token that opened it may resume it` } };
      if (elsewhere.units === hello.units && elsewhere.rateHz === hello.rateHz) carried = elsewhere.held;
    }
    const opened = this.deps.openSession(hello, opts, carried);
    if (!opened.ok) return opened;
    const entry: Entry = { session: opened.session, owner };
    this.entries.set(hello.deviceId, entry);
    this.save(entry);
    if (carried) this.resumed++;
    return { ok: true, session: opened.session, resumed: carried !== undefined };
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
    clearInterval(this.snapshotTimer);
    // Devices leaving a gateway that shuts down resume on another: their snapshots stay, fresh.
    for (const e of this.entries.values()) this.save(e);
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
    this.deps.directory?.sessions.forget(entry.session.info.deviceId);
    void entry.session.close();
  }

  /** Saves the snapshots of sessions that changed since their last save (cluster only). */
  private saveChanged(): void {
    for (const e of this.entries.values()) if (e.savedVersion !== e.session.version) this.save(e);
  }

  private save(entry: Entry): void {
    const directory = this.deps.directory;
    if (!directory) return;
    const { info } = entry.session;
    entry.savedVersion = entry.session.version;
    directory.sessions.save({ deviceId: info.deviceId, owner: entry.owner, units: info.units, rateHz: info.rateHz, gatewayId: directory.gatewayId, savedAt: Date.now(), held: entry.session.held() });
  }
}

/** Samples per frame a device sends on average, at least, under the default frame-rate limit. */
const MIN_MEAN_SAMPLES_PER_FRAME = 4;

/** Frames per second a device may send (bursts of twice that): configured, or samples/s ÷ 4. */
export function framesPerSecond(rateLimit: RateLimitConfig): number {
  return rateLimit.framesPerSec ?? rateLimit.samplesPerSec / MIN_MEAN_SAMPLES_PER_FRAME;
}
