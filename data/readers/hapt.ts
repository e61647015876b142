// Reads a folder laid out like the HAPT RawData (UCI "Smartphone-Based Recognition of Human
// Activities and Postural Transitions"): acc_expNN_userMM.txt files (x y z in g, 50 Hz, no
// timestamps) and labels.txt rows `experiment user activity start end` (1-based, inclusive).
// Activities 1-6 are the basic classes; 7-12 (postural transitions) stay unlabelled.
import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ACTIVITIES } from '../../protocol/sensor-messages.js';
import { DataFormatError, type HarLabel, type Recording } from './recording.js';

export const HAPT_RATE_HZ = 50;

/** HAPT activity ids 1..6 in the order of ACTIVITIES (WALKING, …, LAYING). */
const HAPT_BASIC: readonly HarLabel[] = ACTIVITIES;

const ACC_FILE = /^acc_exp(\d+)_user(\d+)\.txt$/;

export interface HaptReadOptions {
  /** Only these subjects (all when omitted). */
  users?: readonly number[];
}

interface Segment {
  activity: number;
  start: number;
  end: number;
  line: number;
}

export async function readHapt(dir: string, opts: HaptReadOptions = {}): Promise<Recording[]> {
  if (!existsSync(dir)) throw new Error(`hapt folder not found: ${dir}`);
  if (!statSync(dir).isDirectory()) throw new Error(`hapt data must be a folder laid out like HAPT RawData (got a file: ${dir})`);
  const labelsPath = join(dir, 'labels.txt');
  if (!existsSync(labelsPath)) throw new Error(`${dir} has no labels.txt: is it a HAPT RawData folder?`);
  const segments = parseLabels(labelsPath, await readFile(labelsPath, 'utf8'));

  const files = (await readdir(dir))
    .map((name) => ({ name, m: ACC_FILE.exec(name) }))
    .filter((f): f is { name: string; m: RegExpExecArray } => f.m !== null)
    .map((f) => ({ name: f.name, experiment: Number(f.m[1]), user: Number(f.m[2]) }))
    .sort((a, b) => a.experiment - b.experiment);
  if (files.length === 0) throw new Error(`${dir} has no acc_expNN_userMM.txt files`);

  const wanted = opts.users ? new Set(opts.users) : undefined;
  if (wanted) {
    const present = new Set(files.map((f) => f.user));
    const missing = [...wanted].filter((u) => !present.has(u));
    if (missing.length) throw new Error(`no recordings for user(s) ${missing.join(', ')} in ${dir} (users present: ${[...present].sort((a, b) => a - b).join(', ')})`);
  }

  const out: Recording[] = [];
  for (const f of files) {
    if (wanted && !wanted.has(f.user)) continue;
    const path = join(dir, f.name);
    const { x, y, z } = parseAccFile(path, await readFile(path, 'utf8'));
    const n = x.length;
    const t = new Float64Array(n);
    for (let i = 0; i < n; i++) t[i] = (i * 1000) / HAPT_RATE_HZ;
    const labels: HarLabel[] = new Array(n).fill(undefined);
    for (const s of segments.get(key(f.experiment, f.user)) ?? []) {
      if (s.end > n) throw new DataFormatError(labelsPath, `segment ${s.start}-${s.end} runs past the end of ${f.name} (${n} samples)`, s.line);
      const label = HAPT_BASIC[s.activity - 1]; // transitions (7-12) map to undefined
      for (let i = s.start - 1; i < s.end; i++) labels[i] = label;
    }
    out.push({ id: `exp${pad(f.experiment)}_user${pad(f.user)}`, rateHz: HAPT_RATE_HZ, t, x, y, z, labels, user: f.user, placement: 'waist', dataset: 'hapt', source: path });
  }
  return out;
}

function key(experiment: number, user: number): string {
  return `${experiment}/${user}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function parseLabels(path: string, text: string): Map<string, Segment[]> {
  const byFile = new Map<string, Segment[]>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const cols = line.split(/\s+/).map(Number);
    if (cols.length !== 5 || cols.some((c) => !Number.isInteger(c))) {
      throw new DataFormatError(path, `expected 5 integers 'experiment user activity start end', got '${line}'`, i + 1);
    }
    const [experiment, user, activity, start, end] = cols as [number, number, number, number, number];
    if (activity < 1 || activity > 12) throw new DataFormatError(path, `activity id ${activity} is not in 1-12`, i + 1);
    if (start < 1 || end < start) throw new DataFormatError(path, `bad segment ${start}-${end} (1-based, inclusive)`, i + 1);
    const k = key(experiment, user);
    if (!byFile.has(k)) byFile.set(k, []);
    byFile.get(k)!.push({ activity, start, end, line: i + 1 });
  }
  return byFile;
}

function parseAccFile(path: string, text: string): { x: Float32Array; y: Float32Array; z: Float32Array } {
  const lines = text.split(/\r?\n/);
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  const x = new Float32Array(lines.length);
  const y = new Float32Array(lines.length);
  const z = new Float32Array(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const cols = lines[i]!.trim().split(/\s+/);
    const v = cols.map(Number);
    if (cols.length !== 3 || v.some((c) => !Number.isFinite(c))) {
      throw new DataFormatError(path, `expected 3 numbers 'x y z' (in g), got '${lines[i]!.trim().slice(0, 80)}'`, i + 1);
    }
    x[i] = v[0]!;
    y[i] = v[1]!;
    z[i] = v[2]!;
  }
  return { x, y, z };
}
