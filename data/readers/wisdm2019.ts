// Reads the phone accelerometer files of the WISDM Smartphone and Smartwatch Activity and
// Biometrics Dataset (2019): `data_<subject>_accel_phone.txt[.gz]`, one reading per line
// `subject,activity-code,timestamp_ns,x,y,z;` in m/s² (gravity included, Android signs), phone
// in a trouser pocket, ~20 Hz. Each maximal run of one activity code becomes one Recording
// (timestamps in ms from the run's start), so runs never join across the gap between activities.
//
// Labels: A walking, B jogging, C 'stairs' (the data set does not tell up from down), D sitting,
// E standing. The hand and eating activities F-S (typing, teeth, soup, … folding; done sitting
// or standing, the data set does not say which for each) are left out: their samples stay
// unlabelled, and runs holding only them are not returned.
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { STANDARD_GRAVITY } from '../../protocol/sensor-messages.js';
import { estimateRateHz } from './csv.js';
import { DataFormatError, type HarLabel, type Recording } from './recording.js';
import { findFiles, nanosToRelativeMs, readTextFile } from './text-file.js';

export const WISDM_LABELS: Readonly<Record<string, HarLabel>> = { A: 'walking', B: 'jogging', C: 'stairs', D: 'sitting', E: 'standing' };
const ACTIVITY_CODES = new Set('ABCDEFGHIJKLMOPQRS'.split(''));
export const WISDM_FILE = /^data_(\d+)_accel_phone\.txt(\.gz)?$/;

export interface WisdmReadOptions {
  /** Only these subjects (all when omitted). */
  users?: readonly number[];
}

/** A file, or every data_<id>_accel_phone.txt[.gz] under a folder (recursively). */
export async function readWisdm2019(path: string, opts: WisdmReadOptions = {}): Promise<Recording[]> {
  if (!existsSync(path)) throw new Error(`wisdm2019 path not found: ${path}`);
  let files = statSync(path).isDirectory() ? await findFiles(path, WISDM_FILE) : [path];
  if (files.length === 0) throw new Error(`${path} has no data_<subject>_accel_phone.txt[.gz] files (the WISDM 2019 raw/phone/accel layout)`);
  if (opts.users) {
    const wanted = new Set(opts.users);
    const present = new Map(files.map((f) => [Number(WISDM_FILE.exec(basename(f))?.[1]), f]));
    const missing = [...wanted].filter((u) => !present.has(u));
    if (missing.length) throw new Error(`no wisdm2019 files for subject(s) ${missing.join(', ')} in ${path} (present: ${[...present.keys()].join(', ')})`);
    files = files.filter((f) => wanted.has(Number(WISDM_FILE.exec(basename(f))?.[1])));
  }
  const out: Recording[] = [];
  for (const file of files) out.push(...parseWisdm2019(await readTextFile(file), file));
  return out;
}

/** Parses one file's text into one Recording per run of one labelled activity code. */
export function parseWisdm2019(text: string, path: string): Recording[] {
  const runs: { subject: number; code: string; line: number; ns: number[]; x: number[]; y: number[]; z: number[] }[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    const cols = raw.replace(/;$/, '').split(',');
    if (cols.length !== 6) throw new DataFormatError(path, `expected 'subject,activity,timestamp,x,y,z;', got '${raw.slice(0, 80)}'`, i + 1);
    const subject = Number(cols[0]);
    const code = cols[1]!.trim();
    const nums = cols.slice(2).map(Number);
    if (!Number.isInteger(subject)) throw new DataFormatError(path, `subject id '${cols[0]}' is not a whole number`, i + 1);
    if (!ACTIVITY_CODES.has(code)) throw new DataFormatError(path, `activity code '${code}' is not one of A-S (no N)`, i + 1);
    if (nums.some((v) => !Number.isFinite(v))) throw new DataFormatError(path, `timestamp, x, y and z must be numbers: '${raw.slice(0, 80)}'`, i + 1);
    let run = runs[runs.length - 1];
    if (!run || run.code !== code || run.subject !== subject) {
      run = { subject, code, line: i + 1, ns: [], x: [], y: [], z: [] };
      runs.push(run);
    }
    run.ns.push(nums[0]!);
    run.x.push(nums[1]! / STANDARD_GRAVITY);
    run.y.push(nums[2]! / STANDARD_GRAVITY);
    run.z.push(nums[3]! / STANDARD_GRAVITY);
  }
  const out: Recording[] = [];
  const seen = new Map<string, number>();
  for (const run of runs) {
    const label = WISDM_LABELS[run.code];
    if (label === undefined || run.ns.length < 2) continue;
    const warnings: string[] = [];
    const order = sortedOrder(run.ns);
    if (order) warnings.push('timestamps were not in order; samples were sorted by timestamp');
    const pick = <T>(a: T[]): T[] => (order ? order.map((k) => a[k]!) : a);
    const key = `${run.subject}_${run.code}`;
    const k = (seen.get(key) ?? 0) + 1;
    seen.set(key, k);
    const rec: Recording = {
      id: `wisdm_${key}${k > 1 ? `_${k}` : ''}`,
      t: nanosToRelativeMs(pick(run.ns)),
      x: Float32Array.from(pick(run.x)),
      y: Float32Array.from(pick(run.y)),
      z: Float32Array.from(pick(run.z)),
      labels: new Array<HarLabel>(run.ns.length).fill(label),
      user: run.subject,
      placement: 'pocket',
      dataset: 'wisdm2019',
      source: `${path}:${run.line}`,
    };
    const rate = estimateRateHz(rec.t);
    if (rate !== undefined) rec.rateHz = rate;
    if (warnings.length) rec.warnings = warnings;
    out.push(rec);
  }
  return out;
}

/** The permutation that sorts `ns` (stable), or undefined when it is already non-decreasing. */
export function sortedOrder(ns: readonly number[]): number[] | undefined {
  if (ns.every((v, i) => i === 0 || v >= ns[i - 1]!)) return undefined;
  return ns.map((_, i) => i).sort((a, b) => ns[a]! - ns[b]! || a - b);
}
