// The local recording store: one append-only NDJSON file per device session under `dir`
// (protocol/recording-format.ts), flushed and fsynced every flushMs by one timer for all files.
// Lists recordings on disk (finished, from earlier runs, or torn by a crash) and live ones.
import { mkdirSync } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { RECORDING_EXTENSION, RECORDING_FORMAT, RECORDING_ID_PATTERN, type RecordingHeader } from '../../protocol/recording-format.js';
import type { DeviceInfo } from '../../protocol/sensor-messages.js';
import type { RecordingConfig } from '../config.js';
import { RecordingWriter, type RecordingStatus } from './recording-writer.js';

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
  units?: string;
  rateHz?: number;
  source?: string;
}

export class RecordingManager {
  readonly dir: string;
  private readonly active = new Set<RecordingWriter>();
  private readonly timer: ReturnType<typeof setInterval>;
  private lastStamp = '';
  private sameStamp = 0;
  /** Totals for metrics (closed files included). */
  started = 0;

  constructor(private readonly config: RecordingConfig) {
    this.dir = resolve(config.dir);
    this.timer = setInterval(() => void this.flushAll(), config.flushMs);
    this.timer.unref();
  }

  /** Record every device from its hello? */
  get recordAll(): boolean {
    return this.config.all;
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** Starts a new recording file for a device session. */
  open(info: DeviceInfo): RecordingWriter {
    mkdirSync(this.dir, { recursive: true });
    const id = this.newId(info.deviceId);
    const writer = new RecordingWriter(id, join(this.dir, id + RECORDING_EXTENSION), info, (w) => this.active.delete(w));
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
    const live = new Map<string, RecordingStatus>([...this.active].map((w) => [w.id, w.status()]));
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
      const entry: RecordingListEntry = { id, deviceId: header.deviceId, startedAt: header.startedAt, bytes: status?.bytes ?? size, active: status !== undefined, units: header.units, rateHz: header.rateHz };
      if (header.source !== undefined) entry.source = header.source;
      if (status) Object.assign(entry, { frames: status.frames, samples: status.samples, droppedFrames: status.droppedFrames });
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
    await Promise.all([...this.active].map((w) => w.close('server shutdown')));
  }

  /** `<device id>_<UTC time>[_n]`, safe as a file name (':' becomes '_'). */
  private newId(deviceId: string): string {
    const stamp = new Date().toISOString().replace(/[:]/g, '-').replace(/\.(\d+)Z$/, '.$1Z');
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
