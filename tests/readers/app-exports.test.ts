// Other apps' CSV exports, generated here in each app's layout: Sensor Logger
// (TotalAcceleration.csv / Accelerometer.csv: time in ns, seconds_elapsed, z, y, x in m/s²) and
// phyphox ("Time (s)","Acceleration x (m/s^2)"…, comma or semicolon with decimal commas).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataFormatError, readRecordings } from '../../data/readers/index.js';
import { parsePhyphoxCsv } from '../../data/readers/phyphox-csv.js';
import { parseSensorLoggerCsv } from '../../data/readers/sensor-logger-csv.js';
import { STANDARD_GRAVITY } from '../../protocol/sensor-messages.js';

const G = STANDARD_GRAVITY;
/** n samples at `hz`: a phone lying flat (z up, 1 g) with a small wobble on x, in g. */
const signal = (n: number, hz: number) => Array.from({ length: n }, (_, i) => ({ s: i / hz, x: 0.1 * Math.sin(i / 5), y: 0.02, z: 1 }));

function sensorLogger(n: number, hz = 100, t0ns = 1_698_310_000_123_000_000n): string {
  const rows = signal(n, hz).map((p, i) => `${t0ns + BigInt(Math.round((i * 1e9) / hz))},${p.s},${p.z * G},${p.y * G},${p.x * G}`);
  return ['time,seconds_elapsed,z,y,x', ...rows].join('\n') + '\n';
}

function phyphox(n: number, hz: number, sep: ',' | ';' | '\t'): string {
  const num = (v: number) => (sep === ';' ? v.toExponential(9).replace('.', ',') : v.toExponential(9));
  const header = ['"Time (s)"', '"Acceleration x (m/s^2)"', '"Acceleration y (m/s^2)"', '"Acceleration z (m/s^2)"', '"Absolute acceleration (m/s^2)"'].join(sep);
  const rows = signal(n, hz).map((p) => [p.s, p.x * G, p.y * G, p.z * G, Math.hypot(p.x, p.y, p.z) * G].map(num).join(sep));
  return [header, ...rows].join('\r\n') + '\r\n';
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sensorium-app-exports-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Sensor Logger csv', () => {
  it('reads time in ns, z,y,x columns in m/s² into g at the right rate', () => {
    const rec = parseSensorLoggerCsv(sensorLogger(300), '/exports/walk-1/TotalAcceleration.csv');
    expect(rec.id).toBe('walk-1');
    expect(rec.t.length).toBe(300);
    expect(rec.rateHz).toBeCloseTo(100, 3);
    expect(rec.t[1]! - rec.t[0]!).toBeCloseTo(10, 3);
    expect(rec.z[0]).toBeCloseTo(1, 5);
    expect(rec.y[0]).toBeCloseTo(0.02, 5);
    expect(rec.x[10]).toBeCloseTo(0.1 * Math.sin(2), 5);
    expect(rec.warnings).toBeUndefined();
    expect(rec.labels.every((l) => l === undefined)).toBe(true);
  });

  it('takes seconds_elapsed when there is no time column, and a label column when one was added', () => {
    const text = ['seconds_elapsed,x,y,z,label', ...signal(100, 50).map((p) => `${p.s},${p.x * G},${p.y * G},${p.z * G},${p.s < 1 ? 'walking' : 'Sitting'}`)].join('\n');
    const rec = parseSensorLoggerCsv(text, 'TotalAcceleration.csv');
    expect(rec.rateHz).toBeCloseTo(50, 3);
    expect(rec.labels[0]).toBe('walking');
    expect(rec.labels[99]).toBe('sitting');
  });

  it('reads a folder of exports, one recording per export folder, TotalAcceleration first; warns on gravity-removed Accelerometer.csv', async () => {
    const root = join(dir, 'sensor-logger');
    mkdirSync(join(root, 'a'), { recursive: true });
    mkdirSync(join(root, 'b'), { recursive: true });
    writeFileSync(join(root, 'a', 'TotalAcceleration.csv'), sensorLogger(200));
    writeFileSync(join(root, 'a', 'Accelerometer.csv'), 'time,seconds_elapsed,z,y,x\n1,0,0,0,0\n2,0,0,0,0\n');
    const linear = ['time,seconds_elapsed,z,y,x', ...signal(200, 100).map((p, i) => `${1e15 + i * 1e7},${p.s},0.1,0.05,${p.x * G}`)].join('\n');
    writeFileSync(join(root, 'b', 'Accelerometer.csv'), linear);
    const recs = await readRecordings('sensor-logger', root);
    expect(recs.map((r) => r.id)).toEqual(['a', 'b']);
    expect(recs[0]!.t.length).toBe(200);
    expect(recs[0]!.warnings).toBeUndefined();
    expect(recs[1]!.warnings?.join(' ')).toMatch(/gravity removed/);
  });

  it('names the file and line of a bad value, and refuses --units', async () => {
    const bad = sensorLogger(5).replace(/\n([^\n]*)\n$/, '\n$1,\nx,0,0,0,0\n');
    expect(() => parseSensorLoggerCsv(bad, 'TotalAcceleration.csv')).toThrow(DataFormatError);
    expect(() => parseSensorLoggerCsv(bad, 'TotalAcceleration.csv')).toThrow(/TotalAcceleration\.csv:\d+: time is not a number/);
    expect(() => parseSensorLoggerCsv('time,z,y\n1,2,3\n', 'T.csv')).toThrow(/no 'x' column/);
    const file = join(dir, 'TotalAcceleration.csv');
    writeFileSync(file, sensorLogger(50));
    await expect(readRecordings('sensor-logger', file, { units: 'g' })).rejects.toThrow(/--units does not apply/);
  });
});

describe('phyphox csv', () => {
  it.each([',', ';', '\t'] as const)("reads quoted headers with delimiter '%s' (semicolon: decimal commas) into g", (sep) => {
    const rec = parsePhyphoxCsv(phyphox(250, 100, sep), '/tmp/Raw Data.csv');
    expect(rec.id).toBe('Raw Data');
    expect(rec.t.length).toBe(250);
    expect(rec.rateHz).toBeCloseTo(100, 2);
    expect(rec.z[0]).toBeCloseTo(1, 5);
    expect(rec.x[10]).toBeCloseTo(0.1 * Math.sin(2), 5);
    expect(rec.warnings).toBeUndefined();
  });

  it('reads the units from the header (g as well) and warns on linear acceleration', () => {
    const inG = ['"Time (s)","Acceleration x (g)","Acceleration y (g)","Acceleration z (g)"', ...signal(60, 50).map((p) => `${p.s},${p.x},${p.y},${p.z}`)].join('\n');
    expect(parsePhyphoxCsv(inG, 'g.csv').z[3]).toBeCloseTo(1, 6);
    const linear = ['"Time (s)","Linear Acceleration x (m/s^2)","Linear Acceleration y (m/s^2)","Linear Acceleration z (m/s^2)"', ...signal(60, 50).map((p) => `${p.s},${p.x},0,0`)].join('\n');
    expect(parsePhyphoxCsv(linear, 'lin.csv').warnings?.join(' ')).toMatch(/gravity removed/);
    expect(() => parsePhyphoxCsv('"Time (s)","Acceleration x (furlongs)","Acceleration y (m/s^2)","Acceleration z (m/s^2)"\n0,1,1,1\n', 'f.csv')).toThrow(/unknown acceleration units 'furlongs'/);
    expect(() => parsePhyphoxCsv('"Time (s)","Pressure (hPa)"\n0,1000\n', 'p.csv')).toThrow(/no "Acceleration x/);
  });

  it('reads a folder of exports, skipping csv files of other sensors', async () => {
    const root = join(dir, 'phyphox');
    mkdirSync(join(root, 'run-2'), { recursive: true });
    writeFileSync(join(root, 'Raw Data.csv'), phyphox(120, 50, ','));
    writeFileSync(join(root, 'run-2', 'Raw Data.csv'), phyphox(120, 50, ';'));
    writeFileSync(join(root, 'pressure.csv'), '"Time (s)","Pressure (hPa)"\n0,1000\n');
    const recs = await readRecordings('phyphox', root);
    expect(recs.map((r) => r.id)).toEqual(['Raw Data', 'run-2/Raw Data']);
    expect(recs.every((r) => r.t.length === 120)).toBe(true);
  });
});
