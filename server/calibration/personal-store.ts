// Personal heads on disk: one JSON file per device under the personal folder (default
// data/personal/). File names are derived from the device id by escaping every character outside
// [A-Za-z0-9_-] (so '.', '/', ':' never reach the file system as themselves: no traversal, no
// hidden files, portable names), and the resolved path is checked to lie inside the folder.
// Writes go to a temporary file that is then renamed, so a crash never leaves half a head.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { PersonalHead } from '../../models/har/personal-head.js';

const FORMAT = 'sensorium-personal-head/1';

/** What a personal head file holds (typed arrays as number arrays). */
interface HeadFile extends Omit<PersonalHead, 'kernel' | 'bias'> {
  format: typeof FORMAT;
  deviceId: string;
  kernel: number[];
  bias: number[];
}

/** 'phone:1.a' -> 'phone_3a1_2ea': reversible, and only [A-Za-z0-9_-]. */
export function personalFileName(deviceId: string): string {
  return `${deviceId.replace(/[^A-Za-z0-9-]/g, (ch) => `_${ch.charCodeAt(0).toString(16).padStart(2, '0')}`)}.json`;
}

/** A usable head, or none (with why, when a file exists but cannot be used). */
export interface LoadedHead {
  head?: PersonalHead;
  problem?: string;
}

export class PersonalStore {
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  get folder(): string {
    return this.dir;
  }

  /** The file of a device's head, checked to be inside the folder. */
  pathOf(deviceId: string): string {
    const path = join(this.dir, personalFileName(deviceId));
    if (!path.startsWith(this.dir + sep)) throw new Error(`refusing a personal head path outside ${this.dir}`);
    return path;
  }

  /** The device's head; no head (and why, when a file exists but is unusable) otherwise. */
  async load(deviceId: string, expect: { classes: readonly string[]; featureSize: number; fingerprint: string }): Promise<LoadedHead> {
    let text: string;
    try {
      text = await readFile(this.pathOf(deviceId), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      return { problem: `cannot read ${personalFileName(deviceId)}: ${(err as Error).message}` };
    }
    let file: HeadFile;
    try {
      file = JSON.parse(text) as HeadFile;
    } catch {
      return { problem: `${personalFileName(deviceId)} is not JSON` };
    }
    const F = expect.featureSize;
    const C = expect.classes.length;
    if (file.format !== FORMAT || file.deviceId !== deviceId) return { problem: `${personalFileName(deviceId)} is not this device's personal head` };
    if (file.sharedFingerprint !== expect.fingerprint) return { problem: 'it was fitted for another shared model (the model changed since): calibrate again' };
    if (!Array.isArray(file.classes) || file.classes.join(',') !== expect.classes.join(',') || file.featureSize !== F) return { problem: 'its classes or feature size do not match the model' };
    const finite = (a: unknown, n: number) => Array.isArray(a) && a.length === n && a.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (!finite(file.kernel, F * C) || !finite(file.bias, C)) return { problem: 'its weights are damaged' };
    const { format: _format, deviceId: _id, kernel, bias, ...rest } = file;
    return { head: { ...rest, kernel: Float32Array.from(kernel), bias: Float32Array.from(bias) } };
  }

  async save(deviceId: string, head: PersonalHead): Promise<void> {
    const path = this.pathOf(deviceId);
    await mkdir(this.dir, { recursive: true });
    const file: HeadFile = { format: FORMAT, deviceId, ...head, kernel: Array.from(head.kernel), bias: Array.from(head.bias) };
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(file));
    await rename(tmp, path);
  }

  async remove(deviceId: string): Promise<void> {
    await rm(this.pathOf(deviceId), { force: true });
  }
}
