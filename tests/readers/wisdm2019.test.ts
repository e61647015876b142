import { describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readRecordings } from '../../data/readers/index.js';
import { parseWisdm2019, readWisdm2019 } from '../../data/readers/wisdm2019.js';
import { toUniformRate } from '../../data/signal/windowing.js';
import { STANDARD_GRAVITY } from '../../protocol/sensor-messages.js';

/** Lines in the WISDM 2019 phone format: ~20 Hz (50.3 ms steps with jitter), nanosecond clock, m/s². */
function wisdmLines(subject: number, segments: [code: string, n: number][], t0Ns = 252207666810782): string[] {
  const lines: string[] = [];
  let t = t0Ns;
  for (const [code, n] of segments) {
    for (let i = 0; i < n; i++) {
      t += 50_300_000 + ((i * 7919) % 5) * 1_000_000 - 2_000_000; // 48.3-52.3 ms
      lines.push(`${subject},${code},${t},${(0.1 * STANDARD_GRAVITY).toFixed(6)},${(0.98 * STANDARD_GRAVITY).toFixed(6)},${(-0.2 * STANDARD_GRAVITY).toFixed(6)};`);
    }
    t += 3e9; // a pause between activities
  }
  return lines;
}

async function folder(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'wisdm-'));
  await mkdir(join(dir, 'raw', 'phone', 'accel'), { recursive: true });
  for (const [name, body] of Object.entries(files)) await writeFile(join(dir, 'raw', 'phone', 'accel', name), body);
  return dir;
}

describe('wisdm2019 reader', () => {
  it('splits a file into one recording per activity run, maps labels, converts m/s² to g and ns to ms', () => {
    const text =
      wisdmLines(1601, [
        ['A', 50],
        ['C', 40],
        ['F', 30],
        ['D', 45],
      ]).join('\n') + '\n';
    const recs = parseWisdm2019(text, 'data_1601_accel_phone.txt');
    expect(recs.map((r) => r.id)).toEqual(['wisdm_1601_A', 'wisdm_1601_C', 'wisdm_1601_D']); // F (typing) left out
    expect(recs.map((r) => r.labels[0])).toEqual(['walking', 'stairs', 'sitting']);
    const walk = recs[0]!;
    expect(walk.t[0]).toBe(0);
    expect(walk.t[1]! - walk.t[0]!).toBeGreaterThan(48);
    expect(walk.t[1]! - walk.t[0]!).toBeLessThan(53);
    expect(walk.rateHz).toBeGreaterThan(18);
    expect(walk.rateHz).toBeLessThan(21);
    expect(walk.y[0]).toBeCloseTo(0.98, 5);
    expect(walk.x[0]).toBeCloseTo(0.1, 5);
    expect([walk.user, walk.placement, walk.dataset]).toEqual([1601, 'pocket', 'wisdm2019']);
  });

  it('resampling goes by the timestamps, not the sample count', () => {
    const [rec] = parseWisdm2019(wisdmLines(1601, [['E', 200]]).join('\n'), 'f.txt');
    const span = rec!.t[rec!.t.length - 1]!;
    const s = toUniformRate(rec!, 50);
    // ~200 samples at ~20 Hz span ~10 s: 50 Hz gives ~2.5x as many samples, 20 ms apart.
    expect(s.t.length).toBe(Math.floor(span / 20) + 1);
    expect(s.t[1]! - s.t[0]!).toBeCloseTo(20, 9);
    expect(s.labels.every((l) => l === 'standing')).toBe(true);
  });

  it('reads gzip files as stored, and plain ones, from a folder; filters subjects', async () => {
    const dir = await folder({
      'data_1601_accel_phone.txt.gz': gzipSync(wisdmLines(1601, [['B', 30]]).join('\n')),
      'data_1602_accel_phone.txt': wisdmLines(1602, [['E', 30]]).join('\n'),
      'README.txt': 'not data',
    });
    const all = await readWisdm2019(dir);
    expect(all.map((r) => [r.id, r.labels[0]])).toEqual([
      ['wisdm_1601_B', 'jogging'],
      ['wisdm_1602_E', 'standing'],
    ]);
    const one = await readRecordings('wisdm2019', dir, { users: [1602] });
    expect(one.map((r) => r.user)).toEqual([1602]);
    await expect(readWisdm2019(dir, { users: [1700] })).rejects.toThrow(/subject\(s\) 1700/);
    await expect(readRecordings('wisdm2019', dir, { units: 'g' })).rejects.toThrow(/m\/s²/);
  });

  it('names the file and line of bad input', async () => {
    expect(() => parseWisdm2019('1601,A,1,2,3;\n', 'bad.txt')).toThrow(/bad.txt:1: expected 'subject,activity/);
    expect(() => parseWisdm2019('1601,A,100,0,9.8,0;\n1601,N,200,0,9.8,0;\n', 'bad.txt')).toThrow(/bad.txt:2: activity code 'N'/);
    expect(() => parseWisdm2019('1601,A,100,0,x,0;\n', 'bad.txt')).toThrow(/bad.txt:1: .*must be numbers/);
    const dir = await folder({ 'data_1601_accel_phone.txt.gz': Buffer.from('not gzip') });
    await expect(readWisdm2019(dir)).rejects.toThrow(/not a valid gzip file/);
  });

  it('sorts samples whose timestamps go backwards, with a warning', () => {
    const text = ['1601,A,3000000,0,9.8,0;', '1601,A,1000000,0,9.8,0;', '1601,A,2000000,0,9.8,0;'].join('\n');
    const [rec] = parseWisdm2019(text, 'f.txt');
    expect(Array.from(rec!.t)).toEqual([0, 1, 2]);
    expect(rec!.warnings?.join()).toMatch(/sorted/);
  });
});
