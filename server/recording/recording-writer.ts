// One recording file: the session's accepted frames as NDJSON lines, buffered in memory and
// appended + fdatasync'ed by the manager's flush timer (at least once per flushMs), so a crash
// loses at most the last unflushed interval. Writes of one file are serialized; a disk that
// cannot keep up makes frames be dropped (counted) rather than memory grow without bound.
import { open, type FileHandle } from 'node:fs/promises';
import { float32Text, RECORDING_FORMAT, RECORDING_VERSION, type RecordingEnd, type RecordingFrame, type RecordingHeader } from '../../protocol/recording-format.js';
import type { DeviceInfo } from '../../protocol/sensor-messages.js';
import type { SampleFrame } from '../../protocol/validate-sensor.js';

/** Most bytes waiting to be written per file; beyond it frames are dropped and counted. */
export const MAX_PENDING_BYTES = 16 << 20;

export interface RecordingStatus {
  id: string;
  deviceId: string;
  file: string;
  startedAt: string;
  active: boolean;
  frames: number;
  samples: number;
  bytes: number;
  droppedFrames: number;
}

export class RecordingWriter {
  frames = 0;
  samples = 0;
  /** Bytes written to the file so far. */
  bytes = 0;
  droppedFrames = 0;
  readonly startedAt = new Date().toISOString();
  private pending: string[] = [];
  private pendingBytes = 0;
  private readonly handle: Promise<FileHandle>;
  private chain: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;
  /** The last write failed (disk full…): the file is given up. */
  failure: string | undefined;

  constructor(
    readonly id: string,
    readonly file: string,
    readonly info: DeviceInfo,
    private readonly onClosed: (w: RecordingWriter) => void,
  ) {
    const header: RecordingHeader = { kind: 'header', format: RECORDING_FORMAT, version: RECORDING_VERSION, id, deviceId: info.deviceId, rateHz: info.rateHz, units: info.units, startedAt: this.startedAt };
    if (info.source !== undefined) header.source = info.source;
    if (info.description !== undefined) header.description = info.description;
    if (info.hasLabels !== undefined) header.hasLabels = info.hasLabels;
    // 'wx': a new file, never someone else's.
    this.handle = open(file, 'wx');
    this.handle.catch((err: Error) => (this.failure = err.message));
    this.enqueue(JSON.stringify(header));
  }

  get active(): boolean {
    return this.closing === undefined;
  }

  /** Appends one accepted frame (values in the device's units, as validated). */
  append(frame: SampleFrame): void {
    if (!this.active || this.failure) return;
    if (this.pendingBytes > MAX_PENDING_BYTES) {
      this.droppedFrames++;
      return;
    }
    const line: RecordingFrame = {
      kind: 'samples',
      seq: frame.seq,
      at: Date.now(),
      t: Array.from(frame.t),
      x: Array.from(frame.x, float32Text),
      y: Array.from(frame.y, float32Text),
      z: Array.from(frame.z, float32Text),
    };
    if (frame.labels) line.labels = frame.labels.map((l) => l ?? null);
    this.frames++;
    this.samples += frame.t.length;
    this.enqueue(JSON.stringify(line));
  }

  /** The device came back on a new connection (the stream goes on in this file). */
  markResumed(): void {
    if (this.active) this.enqueue(JSON.stringify({ kind: 'resumed', at: Date.now() }));
  }

  /** Writes what is buffered and makes it durable (fdatasync). */
  flush(): Promise<void> {
    if (this.pending.length === 0) return this.chain;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    this.chain = this.chain.then(async () => {
      if (this.failure) return;
      try {
        const fh = await this.handle;
        await fh.appendFile(text, 'utf8');
        await fh.datasync();
        this.bytes += Buffer.byteLength(text);
      } catch (err) {
        this.failure = err instanceof Error ? err.message : String(err);
      }
    });
    return this.chain;
  }

  /** Ends the file with an `end` line, flushes and closes it. */
  close(reason: string): Promise<void> {
    if (!this.closing) {
      const end: RecordingEnd = { kind: 'end', at: Date.now(), frames: this.frames, samples: this.samples, reason };
      this.enqueue(JSON.stringify(end));
      this.closing = this.flush()
        .then(async () => {
          const fh = await this.handle.catch(() => undefined);
          await fh?.close();
        })
        .finally(() => this.onClosed(this));
    }
    return this.closing;
  }

  status(): RecordingStatus {
    return {
      id: this.id,
      deviceId: this.info.deviceId,
      file: this.file,
      startedAt: this.startedAt,
      active: this.active,
      frames: this.frames,
      samples: this.samples,
      bytes: this.bytes + this.pendingBytes,
      droppedFrames: this.droppedFrames,
    };
  }

  private enqueue(line: string): void {
    this.pending.push(line + '\n');
    this.pendingBytes += line.length + 1;
  }
}
