// Reads a data file as text whether it is stored plain or gzip-compressed (the shared data sets
// keep every file as `*.gz`, to be read as stored, never unpacked into the repo).
import { gunzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DataFormatError } from './recording.js';

export async function readTextFile(path: string): Promise<string> {
  const bytes = await readFile(path);
  if (!path.endsWith('.gz')) return bytes.toString('utf8');
  try {
    return gunzipSync(bytes).toString('utf8');
  } catch (err) {
    throw new DataFormatError(path, `not a valid gzip file (${(err as Error).message})`);
  }
}

/** Every file under `dir` (recursively) whose name matches `pattern`, as sorted paths. */
export async function findFiles(dir: string, pattern: RegExp): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await findFiles(path, pattern)));
    else if (pattern.test(entry.name)) out.push(path);
  }
  return out.sort();
}

/**
 * Nanosecond device timestamps -> milliseconds since the first one. Only differences mean
 * anything (the clocks count from boot), and subtracting first keeps full float64 precision.
 */
export function nanosToRelativeMs(ns: readonly number[]): Float64Array {
  const t = new Float64Array(ns.length);
  const t0 = ns[0] ?? 0;
  for (let i = 0; i < ns.length; i++) t[i] = (ns[i]! - t0) / 1e6;
  return t;
}
