// Reads the accelerometer trials of MobiFall v2.0 (Galaxy S3 in a trouser pocket of the
// subject's choice, any orientation): `sub<N>/ADL|FALLS/<CODE>/<CODE>_acc_<subject>_<trial>.txt[.gz]`,
// a '#' header (its `#Activity: <id> - <CODE> - …` must match the file name), an `@DATA` line,
// then `timestamp_ns, x, y, z` in m/s² (gravity included, Android signs) at an irregular ~87 Hz.
// One file = one trial of one activity = one Recording (ms from the first sample).
//
// Labels: STD standing, WAL walking, JOG jogging, STU upstairs, STN downstairs. Left out (not read
// at all, so they cost nothing): JUM jumping (no such class), SCH sit-on-chair (a 6 s stand-to-sit
// movement, not a sitting bout), CSI/CSO car in/out (transitions), and the falls FOL, FKL, BSC,
// SDL (not a class of the model; they end lying on a mattress).
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { STANDARD_GRAVITY } from '../../protocol/sensor-messages.js';
import { estimateRateHz } from './csv.js';
import { DataFormatError, type HarLabel, type Recording } from './recording.js';
import { findFiles, nanosToRelativeMs, readTextFile } from './text-file.js';
import { sortedOrder } from './wisdm2019.js';

export const MOBIFALL_LABELS: Readonly<Record<string, HarLabel>> = { STD: 'standing', WAL: 'walking', JOG: 'jogging', STU: 'upstairs', STN: 'downstairs' };
const CODES = ['STD', 'WAL', 'JOG', 'JUM', 'STU', 'STN', 'SCH', 'CSI', 'CSO', 'FOL', 'FKL', 'BSC', 'SDL'];
export const MOBIFALL_FILE = /^([A-Z]{3})_acc_(\d+)_(\d+)\.txt(\.gz)?$/;

export interface MobiFallReadOptions {
  /** Only these subjects (all when omitted). */
  users?: readonly number[];
}

/** A trial file, or every labelled trial file under a folder (recursively). */
export async function readMobiFall(path: string, opts: MobiFallReadOptions = {}): Promise<Recording[]> {
  if (!existsSync(path)) throw new Error(`mobifall path not found: ${path}`);
  const all = statSync(path).isDirectory() ? await findFiles(path, MOBIFALL_FILE) : [path];
  if (all.length === 0) throw new Error(`${path} has no <CODE>_acc_<subject>_<trial>.txt[.gz] files (the MobiFall layout)`);
  const parsed = all.map((f) => ({ f, m: MOBIFALL_FILE.exec(basename(f)) }));
  const bad = parsed.find((p) => !p.m);
  if (bad) throw new DataFormatError(bad.f, 'the file name is not <CODE>_acc_<subject>_<trial>.txt[.gz]');
  let files = parsed.map((p) => ({ path: p.f, code: p.m![1]!, subject: Number(p.m![2]), trial: Number(p.m![3]) }));
  if (opts.users) {
    const wanted = new Set(opts.users);
    const present = new Set(files.filter((f) => MOBIFALL_LABELS[f.code]).map((f) => f.subject));
    const missing = [...wanted].filter((u) => !present.has(u));
    if (missing.length)
      throw new Error(`no labelled mobifall trials for subject(s) ${missing.join(', ')} in ${path} (subjects with daily activities: ${[...present].sort((a, b) => a - b).join(', ')})`);
    files = files.filter((f) => wanted.has(f.subject));
  }
  const out: Recording[] = [];
  for (const f of files) {
    if (!CODES.includes(f.code)) throw new DataFormatError(f.path, `activity code ${f.code} is not a MobiFall code (${CODES.join(', ')})`);
    if (MOBIFALL_LABELS[f.code] === undefined) continue;
    out.push(parseMobiFall(await readTextFile(f.path), f.path));
  }
  return out;
}

/** Parses one trial; the activity and subject come from the file name and must match the header. */
export function parseMobiFall(text: string, path: string): Recording {
  const m = MOBIFALL_FILE.exec(basename(path));
  if (!m) throw new DataFormatError(path, 'the file name is not <CODE>_acc_<subject>_<trial>.txt[.gz]');
  const [, code, subjectText, trialText] = m as unknown as [string, string, string, string];
  const lines = text.split(/\r?\n/);
  let i = 0;
  let headerCode: string | undefined;
  let headerSubject: number | undefined;
  for (; i < lines.length && lines[i]!.trim() !== '@DATA'; i++) {
    const line = lines[i]!.trim();
    const activity = /^#Activity:\s*\d+\s*-\s*([A-Z]{3})\b/.exec(line);
    if (activity) headerCode = activity[1];
    const subject = /^#Subject ID:\s*(\d+)/.exec(line);
    if (subject) headerSubject = Number(subject[1]);
  }
  if (i === lines.length) throw new DataFormatError(path, 'no @DATA line: not a MobiFall acc file');
  if (headerCode !== undefined && headerCode !== code) throw new DataFormatError(path, `the header says activity ${headerCode}, the file name ${code}`);
  if (headerSubject !== undefined && headerSubject !== Number(subjectText)) throw new DataFormatError(path, `the header says subject ${headerSubject}, the file name ${subjectText}`);
  const ns: number[] = [];
  const x: number[] = [];
  const y: number[] = [];
  const z: number[] = [];
  for (i++; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    const v = raw.split(',').map((c) => Number(c.trim()));
    if (v.length !== 4 || v.some((c) => !Number.isFinite(c))) throw new DataFormatError(path, `expected 'timestamp_ns, x, y, z', got '${raw.slice(0, 80)}'`, i + 1);
    ns.push(v[0]!);
    x.push(v[1]! / STANDARD_GRAVITY);
    y.push(v[2]! / STANDARD_GRAVITY);
    z.push(v[3]! / STANDARD_GRAVITY);
  }
  if (ns.length < 2) throw new DataFormatError(path, `needs at least 2 samples, has ${ns.length}`);
  const order = sortedOrder(ns);
  const pick = (a: number[]): number[] => (order ? order.map((k) => a[k]!) : a);
  const label = MOBIFALL_LABELS[code];
  const rec: Recording = {
    id: `mobifall_${code}_${subjectText}_${trialText}`,
    t: nanosToRelativeMs(pick(ns)),
    x: Float32Array.from(pick(x)),
    y: Float32Array.from(pick(y)),
    z: Float32Array.from(pick(z)),
    labels: new Array<HarLabel>(ns.length).fill(label),
    user: Number(subjectText),
    placement: 'pocket',
    dataset: 'mobifall',
    source: path,
  };
  const rate = estimateRateHz(rec.t);
  if (rate !== undefined) rec.rateHz = rate;
  if (order) rec.warnings = ['timestamps were not in order; samples were sorted by timestamp'];
  return rec;
}
