// Reads phyphox's CSV export of an acceleration experiment ("Acceleration (with g)"; "Linear
// Acceleration" is read with a warning, it has gravity removed): quoted headers
// "Time (s)","Acceleration x (m/s^2)","Acceleration y (m/s^2)","Acceleration z (m/s^2)"[, …],
// separated by commas, tabs, or semicolons (then with decimal commas, phyphox's "Semicolon,
// decimal comma" export). Units come from the header: m/s^2 or g. A path is such a file, or a
// folder searched recursively for *.csv files with that header (others are skipped). An optional
// `label` column (added by hand) is read as ground truth.
import { statSync } from 'node:fs';
import { basename, relative } from 'node:path';
import type { Units } from '../../protocol/sensor-messages.js';
import { appExportRecording, columnIndex, guessDelimiter, numberColumn, parseTable } from './app-export.js';
import { DataFormatError, parseHarLabel, type Recording } from './recording.js';
import { findFiles, readTextFile } from './text-file.js';

const TIME = /^time \(s\)$/i;
const axis = (a: string) => new RegExp(`acceleration ${a}\\b`, 'i');

export async function readPhyphoxCsv(pathOrDir: string): Promise<Recording[]> {
  if (!statSync(pathOrDir).isDirectory()) return [parsePhyphoxCsv(await readTextFile(pathOrDir), pathOrDir)];
  const out: Recording[] = [];
  for (const file of await findFiles(pathOrDir, /\.csv$/i)) {
    const text = await readTextFile(file);
    if (!isPhyphoxAcceleration(text)) continue;
    out.push({ ...parsePhyphoxCsv(text, file), id: relative(pathOrDir, file).replace(/\.csv$/i, '') });
  }
  if (out.length === 0) throw new Error(`${pathOrDir} has no phyphox acceleration export (a .csv with "Time (s)" and "Acceleration x" columns)`);
  return out;
}

function isPhyphoxAcceleration(text: string): boolean {
  const head = text.slice(0, 500).split(/\r?\n/)[0] ?? '';
  return /time \(s\)/i.test(head) && axis('x').test(head);
}

/** Parses one export file's text; `path` names it in errors and becomes the id. */
export function parsePhyphoxCsv(text: string, path: string): Recording {
  const headerLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = guessDelimiter(headerLine);
  const table = parseTable(text, path, delimiter);
  const decimalComma = delimiter === ';';
  const xAt = columnIndex(table, axis('x'), '"Acceleration x (m/s^2)"', path);
  const units = unitsOf(table.header[xAt]!, path);
  const col = (a: string) => numberColumn(table, columnIndex(table, axis(a), `"Acceleration ${a}"`, path), `acceleration ${a}`, path, decimalComma);
  const labelAt = table.header.findIndex((h) => h.toLowerCase() === 'label');
  return appExportRecording({
    id: basename(path).replace(/\.csv$/i, ''),
    source: path,
    t: numberColumn(table, columnIndex(table, TIME, '"Time (s)"', path), 'time', path, decimalComma).map((s) => s * 1000),
    x: col('x'),
    y: col('y'),
    z: col('z'),
    units,
    ...(labelAt >= 0 ? { labels: table.rows.map((r) => parseHarLabel(r[labelAt])) } : {}),
    warnings: /linear/i.test(table.header[xAt]!) ? ['linear acceleration has gravity removed; the model expects it included: export "Acceleration (with g)"'] : [],
  });
}

function unitsOf(header: string, path: string): Units {
  const unit = /\(([^)]*)\)\s*$/.exec(header)?.[1]?.replace(/\s/g, '').toLowerCase();
  if (unit === undefined || unit === 'm/s^2' || unit === 'm/s²' || unit === 'm/s2') return 'm/s2';
  if (unit === 'g') return 'g';
  throw new DataFormatError(path, `unknown acceleration units '${unit}' in '${header}'`, 1);
}
