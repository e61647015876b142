// The local recording store: one append-only NDJSON file per device session under `dir`
// (protocol/recording-format.ts), flushed and fsynced every flushMs by one timer for all files.
// Lists recordings on disk (finished, from earlier runs, or torn by a crash), live ones, and
// those given up because the disk failed. A failure is logged and counted by its code, and the
// disk counts as failing (/api/health) until a write succeeds again: while it fails, a small
// probe file is written every probeMs to notice when it is back.
import { open, readdir, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { RECORDING_EXTENSION, RECORDING_FORMAT, RECORDING_ID_PATTERN, type RecordingHeader } from '../../protocol/recording-format.js';
import type { DeviceInfo } from '../../protocol/sensor-messages.js';
import type { RecordingConfig } from '../config.js';
import { NODE_RECORDING_FILES, type RecordingFiles } from './recording-files.js';
import { RecordingWriter, type RecordingFailure, type RecordingStatus } from './recording-writer.js';

export interface RecordingListEntry {
  id: string;
  deviceId: string;
  startedAt: string;
  bytes: number;
  active: boolean;
  /** Live recordings only: frames and samples so far, frames dropped because the disk lagged. */
  frames?: number;
  samples?: number;
  droppedFrames?: number;
  /** The recording was given up because writing it failed (disk full, I/O error…): why. */
  failed?: boolean;
  error?: string;
  units?: string;
  rateHz?: number;
  source?: string;
}

/** A recording being written (or failed while written) as the list shows it, from its status. */
export function liveEntryOf(w: RecordingWriter, s: RecordingStatus = w.status()): RecordingListEntry {
  const entry: RecordingListEntry = {
    id: s.id,
    deviceId: s.deviceId,
    startedAt: s.startedAt,
    bytes: s.bytes,
    active: s.active,
    frames: s.frames,
    samples: s.samples,
    droppedFrames: s.droppedFrames,
    units: w.info.units,
    rateHz: w.info.rateHz,
  };
  return s.error === undefined ? entry : { ...entry, failed: true, error: s.error };
}

/** What the manager reports to (Fastify's pino logger fits). */
export interface RecordingLog {
  error(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface RecordingManagerOptions {
  /** File operations (tests put a failing or stalled disk here). */
  files?: RecordingFiles;
  log?: RecordingLog;
  /** While the disk fails, how often a probe write checks whether it is back, ms (default: 10 flush intervals). */
  probeMs?: number;
}

/** Failed recordings kept in the list (newest); older ones are forgotten. */
const FAILED_KEPT = 100;
const PROBE_FILE = '.sensorium-disk-check';

export class RecordingManager {
  readonly dir: string;
  private readonly active = new Set<RecordingWriter>();
  /** Recordings given up after a failed write, newest last. */
  private readonly failed: RecordingWriter[] = [];
  private readonly timer: ReturnType<typeof setInterval>;
  private probeTimer: ReturnType<typeof setInterval> | undefined;
  private readonly files: RecordingFiles;
  private readonly probeMs: number;
  private lastStamp = '';
  private sameStamp = 0;
  /** Totals for metrics (closed files included). */
  started = 0;
  /** Failed recordings by error code (ENOSPC, EIO…), for metrics. */
  readonly failures = new Map<string, number>();
  private closedDroppedFrames = 0;
  /** The latest failure, while no write has succeeded since. */
  private failing: RecordingFailure | undefined;

  constructor(
    private readonly config: RecordingConfig,
    private readonly opts: RecordingManagerOptions = {},
  ) {
    this.dir = resolve(config.dir);
    this.files = opts.files ?? NODE_RECORDING_FILES;
    this.timer = setInterval(() => void this.flushAll(), config.flushMs);
    this.probeMs = opts.probeMs ?? 10 * config.flushMs;
    this.timer.unref();
  }

  /** Set while recordings cannot be written: the latest failure (cleared by the next successful write). */
  get diskProblem(): RecordingFailure | undefined {
    return this.failing;
  }

  /** Frames dropped from recordings because the disk lagged (closed files included). */
  get droppedFrames(): number {
    let n = this.closedDroppedFrames;
    for (const w of this.active) n += w.droppedFrames;
    return n;
  }

  /** Record every device from its hello? */
  get recordAll(): boolean {
    return this.config.all;
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** Starts a new recording file for a device session. */
  /** Never throws: a file that cannot be created shows up as a failed recording. */
  open(info: DeviceInfo): RecordingWriter {
    const id = this.newId(info.deviceId);
    const writer = new RecordingWriter(id, join(this.dir, id + RECORDING_EXTENSION), info, {
      files: this.files,
      maxBufferBytes: this.config.maxBufferBytes,
      onClosed: (w) => {
        if (this.active.delete(w)) this.closedDroppedFrames += w.droppedFrames;
      },
      onFailed: (w, failure, err) => this.onFailed(w, failure, err),
      onWritten: () => this.recovered('a recording write succeeded'),
    });
    this.active.add(writer);
    this.started++;
    void writer.flush(); // the header reaches the disk at once
    return writer;
  }

  async flushAll(): Promise<void> {
    await Promise.all([...this.active].map((w) => w.flush()));
  }

  /** Recordings on disk, newest first, with live figures for active ones. */
  async list(): Promise<RecordingListEntry[]> {
    const live = new Map<string, RecordingStatus>([...this.active, ...this.failed].map((w) => [w.id, w.status()]));
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith(RECORDING_EXTENSION));
    } catch {
      names = [];
    }
    const out: RecordingListEntry[] = [];
    for (const name of names) {
      const id = name.slice(0, -RECORDING_EXTENSION.length);
      if (!RECORDING_ID_PATTERN.test(id)) continue;
      const file = join(this.dir, name);
      const header = await readHeader(file);
      if (!header) continue; // not ours, or the header never reached the disk
      const size = (await stat(file).catch(() => undefined))?.size ?? 0;
      const status = live.get(id);
      const entry: RecordingListEntry = {
        id,
        deviceId: header.deviceId,
        startedAt: header.startedAt,
        bytes: status?.bytes ?? size,
        active: status?.active ?? false,
        units: header.units,
        rateHz: header.rateHz,
      };
      if (header.source !== undefined) entry.source = header.source;
      if (status) Object.assign(entry, { frames: status.frames, samples: status.samples, droppedFrames: status.droppedFrames });
      if (status?.error !== undefined) Object.assign(entry, { failed: true, error: status.error });
      live.delete(id);
      out.push(entry);
    }
    // Live and failed recordings whose header is not on disk (yet): a stalled disk, no folder, a disk full from the start.
    for (const w of [...this.active, ...this.failed]) {
      const s = live.get(w.id);
      if (!s) continue;
      const entry = liveEntryOf(w, s);
      if (w.info.source !== undefined) entry.source = w.info.source;
      out.push(entry);
    }
    return out.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : a.id.localeCompare(b.id)));
  }

  /** The file of a recording id, or undefined for an id that is malformed or outside the store. */
  fileOf(id: string): string | undefined {
    if (!RECORDING_ID_PATTERN.test(id) || id.startsWith('.')) return undefined;
    const file = resolve(this.dir, id + RECORDING_EXTENSION);
    return file.startsWith(this.dir + sep) ? file : undefined;
  }

  /** Flushes and closes every open recording (shutdown). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.probeTimer);
    await Promise.all([...this.active].map((w) => w.close('server shutdown')));
  }

  private onFailed(w: RecordingWriter, failure: RecordingFailure, err: unknown): void {
    this.failures.set(failure.code, (this.failures.get(failure.code) ?? 0) + 1);
    this.failed.push(w);
    if (this.failed.length > FAILED_KEPT) this.failed.shift();
    this.opts.log?.error({ err, code: failure.code, recording: w.id, deviceId: w.info.deviceId, file: w.path, frames: w.frames }, 'recording failed');
    this.markFailing(failure);
  }

  private markFailing(failure: RecordingFailure): void {
    this.failing = failure;
    if (this.probeTimer) return;
    this.probeTimer = setInterval(() => void this.probe(), this.probeMs);
    this.probeTimer.unref();
  }

  private recovered(how: string): void {
    if (!this.failing) return;
    this.opts.log?.info({ after: this.failing.code, dir: this.dir }, `recordings can be written again (${how})`);
    this.failing = undefined;
    clearInterval(this.probeTimer);
    this.probeTimer = undefined;
  }

  /** Writes, syncs and removes a small file in the recordings folder: is the disk back? */
  private async probe(): Promise<void> {
    const path = join(this.dir, PROBE_FILE);
    await this.files.remove(path).catch(() => undefined);
    try {
      const file = await this.files.create(path);
      try {
        await file.append('disk check\n');
        await file.sync();
      } finally {
        await file.close().catch(() => undefined);
      }
      await this.files.remove(path).catch(() => undefined);
      this.recovered('a probe write succeeded');
    } catch (err) {
      const code = (err as { code?: unknown })?.code;
      this.failing = { message: err instanceof Error ? err.message : String(err), code: typeof code === 'string' ? code : 'unknown', at: Date.now() };
    }
  }

  /** `<device id>_<UTC time>[_n]`, safe as a file name (':' becomes '_'). */
  private newId(deviceId: string): string {
    const stamp = new Date()
      .toISOString()
      .replace(/[:]/g, '-')
      .replace(/\.(\d+)Z$/, '.$1Z');
    this.sameStamp = stamp === this.lastStamp ? this.sameStamp + 1 : 0;
    this.lastStamp = stamp;
    const safe = deviceId.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
    return `${safe}_${stamp}${this.sameStamp ? `_${this.sameStamp}` : ''}`;
  }
}

/** The header line of a recording file, or undefined when the file is not a recording. */
async function readHeader(file: string): Promise<RecordingHeader | undefined> {
  let fh;
  try {
    fh = await open(file, 'r');
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    const nl = text.indexOf('\n');
    if (nl < 0) return undefined;
    const header = JSON.parse(text.slice(0, nl)) as RecordingHeader;
    return header.kind === 'header' && header.format === RECORDING_FORMAT ? header : undefined;
  } catch {
    return undefined;
  } finally {
    await fh?.close();
  }
}
