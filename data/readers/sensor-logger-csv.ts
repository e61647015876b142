// Reads Sensor Logger's CSV export (the app by Kelvin Choi): `TotalAcceleration.csv` (gravity
// included: what the model wants) or `Accelerometer.csv` (gravity removed: read, with a warning),
// header `time,seconds_elapsed,z,y,x` in any order, `time` in nanoseconds since the epoch,
// values in m/s². A path is such a file, or a folder searched recursively for export folders:
// each folder gives one recording, from TotalAcceleration.csv when it has one. An optional
// `label` column (added by hand) is read as ground truth.
import { statSync } from 'node:fs';
import { basename, dirname, relative } from 'node:path';
import { appExportRecording, columnIndex, numberColumn, parseTable } from './app-export.js';
import { parseHarLabel, type Recording } from './recording.js';
import { findFiles, readTextFile } from './text-file.js';

const TOTAL = /^totalacceleration\.csv$/i;
const ACCELEROMETER = /^accelerometer\.csv$/i;

export async function readSensorLoggerCsv(pathOrDir: string): Promise<Recording[]> {
  if (!statSync(pathOrDir).isDirectory()) return [parseSensorLoggerCsv(await readTextFile(pathOrDir), pathOrDir)];
  const files = await findFiles(pathOrDir, /^(totalacceleration|accelerometer)\.csv$/i);
  // One per export folder: TotalAcceleration.csv when present.
  const byFolder = new Map<string, string>();
  for (const f of files) if (!byFolder.has(dirname(f)) || TOTAL.test(basename(f))) byFolder.set(dirname(f), f);
  if (byFolder.size === 0) throw new Error(`${pathOrDir} has no Sensor Logger export (TotalAcceleration.csv or Accelerometer.csv)`);
  const out: Recording[] = [];
  for (const [folder, file] of [...byFolder].sort(([a], [b]) => a.localeCompare(b))) {
    const rec = parseSensorLoggerCsv(await readTextFile(file), file);
    out.push({ ...rec, id: relative(pathOrDir, folder) || basename(folder) });
  }
  return out;
}

/** Parses one export file's text; `path` names it in errors (and its folder becomes the id). */
export function parseSensorLoggerCsv(text: string, path: string): Recording {
  const table = parseTable(text, path, ',');
  const has = (name: string) => table.header.some((h) => h.toLowerCase() === name);
  const col = (name: string) => columnIndex(table, new RegExp(`^${name}$`, 'i'), `'${name}'`, path);
  // Nanoseconds since the epoch lose precision in a double only below a microsecond.
  const t = has('time') ? numberColumn(table, col('time'), 'time', path).map((ns) => ns / 1e6) : numberColumn(table, col('seconds_elapsed'), 'seconds_elapsed', path).map((s) => s * 1000);
  const labelAt = table.header.findIndex((h) => h.toLowerCase() === 'label');
  const warnings = ACCELEROMETER.test(basename(path)) ? ["Accelerometer.csv has gravity removed; the model expects it included: export 'TotalAcceleration' as well"] : [];
  return appExportRecording({
    id: basename(dirname(path)) || basename(path, '.csv'),
    source: path,
    t,
    x: numberColumn(table, col('x'), 'x', path),
    y: numberColumn(table, col('y'), 'y', path),
    z: numberColumn(table, col('z'), 'z', path),
    units: 'm/s2',
    ...(labelAt >= 0 ? { labels: table.rows.map((r) => parseHarLabel(r[labelAt])) } : {}),
    warnings,
  });
}
