// Recordings as a device session sees them (SessionRecordings): each opened recording keeps the
// frames appended to it in memory; `failOpen` makes opening throw (a folder that cannot be
// written), `failClose` makes closing reject (a disk that fails on the last flush).
import type { DeviceInfo } from '../../../protocol/sensor-messages.js';
import type { SessionRecordings } from '../../../server/devices/device-session.js';
import type { RecordingWriter } from '../../../server/recording/recording-writer.js';

/** The part of RecordingWriter a session uses. */
export class FakeRecording {
  readonly frames: unknown[] = [];
  resumedMarks = 0;
  closedWith: string | undefined;
  active = true;

  constructor(
    readonly info: DeviceInfo,
    private readonly failClose: Error | undefined,
  ) {}

  append(frame: unknown): void {
    if (this.active) this.frames.push(frame);
  }

  markResumed(): void {
    this.resumedMarks++;
  }

  async close(reason: string): Promise<void> {
    this.active = false;
    this.closedWith = reason;
    if (this.failClose) throw this.failClose;
  }
}

export class FakeRecordings implements SessionRecordings {
  readonly opened: FakeRecording[] = [];
  failOpen: Error | undefined;
  failClose: Error | undefined;

  constructor(public recordAll = false) {}

  open(info: DeviceInfo): RecordingWriter {
    if (this.failOpen) throw this.failOpen;
    const recording = new FakeRecording(info, this.failClose);
    this.opened.push(recording);
    return recording as unknown as RecordingWriter;
  }
}
