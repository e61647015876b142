// Device sessions as the whole cluster sees them: a snapshot of each gateway's sessions in the
// KV bucket `sensorium-sessions` (protocol/bus-subjects.ts), so that a device whose gateway went
// away resumes on another one: the same token's session continues there, with the predictions
// it had not seen. What a snapshot does not carry is the pipeline's state (resampler, window
// buffer, smoothing): the new gateway starts those afresh, so a gateway's death costs at most the
// window it was cutting. Snapshots are saved every SNAPSHOT_INTERVAL_MS for sessions that changed.
import type { Bus, BusKv } from '../bus/bus.js';
import { SESSION_TTL_MS, SESSIONS_BUCKET, sessionKey } from '../../protocol/bus-subjects.js';
import type { HeldPrediction } from '../devices/device-session.js';

/** What another gateway needs to continue a session. */
export interface SessionSnapshot {
  deviceId: string;
  /** Whose token opened it (security/auth.ts Principal id): only that token may resume it. */
  owner: string;
  units: string;
  rateHz: number;
  /** The gateway that saved it. */
  gatewayId: string;
  savedAt: number;
  held: HeldPrediction[];
}

/** What the session store needs of it (tests fake it). */
export interface SessionDirectory {
  /** The session's snapshot, when another gateway saved one (undefined quickly when the bus is slow or down). */
  find(deviceId: string): Promise<SessionSnapshot | undefined>;
  /** Saves (fire and forget: a failure is reported to onError, never to the device). */
  save(snapshot: SessionSnapshot): void;
  /** The session ended here: its snapshot goes, unless another gateway has saved one since. */
  forget(deviceId: string): void;
}

/** How often changed sessions are saved, ms (a dead gateway's devices lose at most this much of held predictions). */
export const SNAPSHOT_INTERVAL_MS = 2_000;
/** How long a hello waits for the directory before the device starts a fresh session, ms. */
const LOOKUP_TIMEOUT_MS = 500;

export class KvSessionDirectory implements SessionDirectory {
  private readonly kv: Promise<BusKv>;
  /** Set when the bucket cannot be opened (e.g. NATS without JetStream): the directory is off. */
  private unavailable = false;

  constructor(
    bus: Bus,
    private readonly gatewayId: string,
    private readonly onError: (err: unknown) => void,
    /** Told once when the bucket cannot be opened. */
    warn: (message: string) => void = () => {},
  ) {
    this.kv = bus.kv(SESSIONS_BUCKET, { ttlMs: SESSION_TTL_MS });
    this.kv.catch((err: unknown) => {
      this.unavailable = true;
      warn(
        `sessions will not resume on another gateway: the KV bucket ${SESSIONS_BUCKET} cannot be opened (${err instanceof Error ? err.message : String(err)}); start nats-server with JetStream (-js)`,
      );
    });
  }

  async find(deviceId: string): Promise<SessionSnapshot | undefined> {
    if (this.unavailable) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), LOOKUP_TIMEOUT_MS)));
    try {
      const value = await Promise.race([this.kv.then((kv) => kv.get(sessionKey(deviceId))), timeout]);
      return parseSnapshot(value, deviceId);
    } catch (err) {
      this.onError(err);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  save(snapshot: SessionSnapshot): void {
    if (this.unavailable) return;
    this.kv.then((kv) => kv.put(sessionKey(snapshot.deviceId), snapshot)).catch(this.onError);
  }

  forget(deviceId: string): void {
    if (this.unavailable) return;
    const key = sessionKey(deviceId);
    this.kv
      .then(async (kv) => {
        const stored = parseSnapshot(await kv.get(key), deviceId);
        if (stored?.gatewayId === this.gatewayId) await kv.delete(key);
      })
      .catch(this.onError);
  }
}

/** A stored snapshot, checked (another process wrote it), or undefined. */
export function parseSnapshot(value: unknown, deviceId: string): SessionSnapshot | undefined {
  const s = value as Partial<SessionSnapshot> | null | undefined;
  if (
    !s ||
    typeof s !== 'object' ||
    s.deviceId !== deviceId ||
    typeof s.owner !== 'string' ||
    typeof s.units !== 'string' ||
    typeof s.rateHz !== 'number' ||
    typeof s.gatewayId !== 'string' ||
    !Array.isArray(s.held)
  )
    return undefined;
  const held = s.held.filter(
    (h): h is HeldPrediction =>
      !!h && typeof h === 'object' && typeof h.sent === 'boolean' && !!h.message && h.message.type === 'prediction' && h.message.deviceId === deviceId && typeof h.message.windowEnd === 'number',
  );
  return { deviceId, owner: s.owner, units: s.units, rateHz: s.rateHz, gatewayId: s.gatewayId, savedAt: typeof s.savedAt === 'number' ? s.savedAt : 0, held };
}
