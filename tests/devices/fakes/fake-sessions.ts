// The session store as a device connection sees it (DeviceConnectionDeps['sessions']): opens
// FakeSessions (or refuses with `refuse`; `resumeNext` answers the next open as a resume), keeps
// every release, and real per-device buckets on a clock that stands still (no refill mid-test).
import type { HelloMessage } from '../../../protocol/sensor-messages.js';
import type { SessionSnapshot } from '../../../server/cluster/session-directory.js';
import type { ValidationError } from '../../../protocol/validate-sensor.js';
import type { DeviceConnectionDeps } from '../../../server/devices/device-connection.js';
import type { DeviceSession, DeviceSessionOptions } from '../../../server/devices/device-session.js';
import type { OpenResult } from '../../../server/devices/session-store.js';
import { DeviceRateLimits } from '../../../server/devices/device-rate-limits.js';
import { FakeSession } from './fake-session.js';

export class FakeSessions implements Pick<DeviceConnectionDeps['sessions'], 'open' | 'release'> {
  readonly opened: FakeSession[] = [];
  /** open() calls: the hello, the owner and the other gateway's session it was given. */
  readonly opens: { hello: HelloMessage; owner: string | undefined; elsewhere: SessionSnapshot | undefined }[] = [];
  /** Set to play a cluster: the session directory's answer for a device new here. */
  findElsewhere: ((deviceId: string) => Promise<SessionSnapshot | undefined> | undefined) | undefined;
  readonly releases: { session: FakeSession; keep: boolean }[] = [];
  refuse: ValidationError | undefined;
  resumeNext = false;
  /** A (real) session the next open resumes: it is attached to the connection and answered as resumed. */
  resumes: DeviceSession | undefined;
  readonly rateLimits: DeviceRateLimits;

  constructor(buckets: { samplesPerSec?: number; burstSamples?: number; burstFrames?: number } = {}) {
    this.rateLimits = new DeviceRateLimits({
      samplesPerSec: buckets.samplesPerSec ?? 400,
      burstSamples: buckets.burstSamples ?? 8000,
      framesPerSec: 100,
      burstFrames: buckets.burstFrames ?? 200,
      now: () => 0,
    });
  }

  open(hello: HelloMessage, opts: DeviceSessionOptions, owner?: string, elsewhere?: SessionSnapshot): OpenResult {
    this.opens.push({ hello, owner, elsewhere });
    if (this.refuse) return { ok: false, error: this.refuse };
    const held = this.resumes;
    this.resumes = undefined;
    if (held) {
      held.attach(opts);
      return { ok: true, session: held, resumed: true };
    }
    const session = new FakeSession(hello, opts);
    this.opened.push(session);
    const resumed = this.resumeNext || elsewhere !== undefined;
    this.resumeNext = false;
    return { ok: true, session: session.asSession, resumed };
  }

  release(session: DeviceSession, opts: { keep: boolean } = { keep: true }): void {
    this.releases.push({ session: session as unknown as FakeSession, keep: opts.keep });
  }
}
