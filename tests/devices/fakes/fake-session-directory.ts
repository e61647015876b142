// The cluster's session directory as the session store sees it (SessionDirectory): snapshots
// kept in a map, every save and forget recorded.
import type { SessionDirectory, SessionSnapshot } from '../../../server/cluster/session-directory.js';

export class FakeSessionDirectory implements SessionDirectory {
  readonly stored = new Map<string, SessionSnapshot>();
  readonly saves: SessionSnapshot[] = [];
  readonly forgets: string[] = [];

  find(deviceId: string): Promise<SessionSnapshot | undefined> {
    return Promise.resolve(this.stored.get(deviceId));
  }

  save(snapshot: SessionSnapshot): void {
    this.saves.push(snapshot);
    this.stored.set(snapshot.deviceId, snapshot);
  }

  forget(deviceId: string): void {
    this.forgets.push(deviceId);
  }
}
