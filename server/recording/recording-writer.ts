// One recording file: the session's accepted frames as NDJSON lines, buffered in memory and
// appended + fdatasync'ed by the manager's flush timer (at least once per flushMs), so a crash
// loses at most the last unflushed interval. One write at a time: a flush while the previous one
// is still on its way writes nothing (the next tick takes what waits), so a disk slower than the
// stream holds at most `maxBufferBytes` in memory (waiting + being written); frames beyond it are
// dropped and counted. A failed write (disk full, I/O error) gives the file up: it is reported
// once to `onFailed` (the manager logs and counts it) and the recording shows as failed.
import { float32Text, RECORDING_FORMAT, RECORDING_VERSION, type RecordingEnd, type RecordingFrame, type RecordingHeader } from '../../protocol/recording-format.js';
import type { DeviceInfo } from '../../protocol/sensor-messages.js';
import type { SampleFrame } from '../../protocol/validate-sensor.js';
import type { RecordingFile, RecordingFiles } from './recording-files.js';

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
  /** Why the file was given up (its writes failed). */
  error?: string;
}

/** Why a recording was given up: the error's message and its code (ENOSPC, EIO…). */
export interface RecordingFailure {
  message: string;
  code: string;
  at: number;
}

export interface RecordingWriterOptions {
  files: RecordingFiles;
  maxBufferBytes: number;
  /** The writer is done (closed, or given up after a failure). */
  onClosed: (w: RecordingWriter) => void;
  /** A write failed; called once, before onClosed. */
  onFailed: (w: RecordingWriter, failure: RecordingFailure, err: unknown) => void;
  /** A write reached the disk. */
  onWritten?: () => void;
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
  /** The write on its way (one at a time) and its size. */
  private writing: Promise<void> | undefined;
  private writingBytes = 0;
  private readonly file: Promise<RecordingFile | undefined>;
  private closing: Promise<void> | undefined;
  /** Set when a write failed (disk full…): the file is given up. */
  failure: RecordingFailure | undefined;

  constructor(
    readonly id: string,
    readonly path: string,
    readonly info: DeviceInfo,
    private readonly opts: RecordingWriterOptions,
  ) {
    const header: RecordingHeader = {
      kind: 'header',
      format: RECORDING_FORMAT,
      version: RECORDING_VERSION,
      id,
      deviceId: info.deviceId,
      rateHz: info.rateHz,
      units: info.units,
      startedAt: this.startedAt,
    };
    if (info.source !== undefined) header.source = info.source;
    if (info.description !== undefined) header.description = info.description;
    if (info.hasLabels !== undefined) header.hasLabels = info.hasLabels;
    this.file = opts.files.create(path).catch((err: unknown) => {
      this.fail(err);
      return undefined;
    });
    this.enqueue(JSON.stringify(header));
  }

  /** Being written: not closed, not given up. */
  get active(): boolean {
    return this.closing === undefined && this.failure === undefined;
  }

  /** Appends one accepted frame (values in the device's units, as validated). */
  append(frame: SampleFrame): void {
    if (!this.active) return;
    if (this.pendingBytes + this.writingBytes > this.opts.maxBufferBytes) {
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

  /**
   * Writes what is buffered and makes it durable (fdatasync). While a write is on its way this
   * only waits for it: what arrived meanwhile goes with the next flush.
   */
  flush(): Promise<void> {
    if (this.writing) return this.writing;
    if (this.failure || this.pending.length === 0) return Promise.resolve();
    const text = this.pending.join('');
    this.writingBytes = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    this.writing = (async () => {
      try {
        const file = await this.file;
        if (!file) return;
        await file.append(text);
        await file.sync();
        this.bytes += Buffer.byteLength(text);
        this.opts.onWritten?.();
      } catch (err) {
        this.fail(err);
      } finally {
        this.writing = undefined;
        this.writingBytes = 0;
      }
    })();
    return this.writing;
  }

  /** Ends the file with an `end` line, writes everything buffered and closes it. */
  close(reason: string): Promise<void> {
    if (!this.closing) {
      const end: RecordingEnd = { kind: 'end', at: Date.now(), frames: this.frames, samples: this.samples, reason };
      if (!this.failure) this.enqueue(JSON.stringify(end));
      this.closing = this.drain()
        .then(() => this.release())
        .finally(() => this.opts.onClosed(this));
    }
    return this.closing;
  }

  status(): RecordingStatus {
    const s: RecordingStatus = {
      id: this.id,
      deviceId: this.info.deviceId,
      file: this.path,
      startedAt: this.startedAt,
      active: this.active,
      frames: this.frames,
      samples: this.samples,
      bytes: this.failure ? this.bytes : this.bytes + this.pendingBytes + this.writingBytes,
      droppedFrames: this.droppedFrames,
    };
    if (this.failure) s.error = this.failure.message;
    return s;
  }

  /** Flushes until nothing waits (or the file failed). */
  private async drain(): Promise<void> {
    while (this.writing || (this.pending.length > 0 && !this.failure)) await this.flush();
  }

  private async release(): Promise<void> {
    const file = await this.file;
    await file?.close().catch(() => undefined);
  }

  private fail(err: unknown): void {
    if (this.failure) return;
    const code = (err as { code?: unknown })?.code;
    this.failure = { message: err instanceof Error ? err.message : String(err), code: typeof code === 'string' ? code : 'unknown', at: Date.now() };
    this.pending = [];
    this.pendingBytes = 0;
    this.opts.onFailed(this, this.failure, err);
    // Given up: the handle is closed now, the session's later close() finds nothing to do.
    this.closing ??= this.release().finally(() => this.opts.onClosed(this));
  }

  private enqueue(line: string): void {
    this.pending.push(line + '\n');
    this.pendingBytes += line.length + 1;
  }
}
