import { describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readRecordings } from '../../data/readers/index.js';
import { parseMobiFall, readMobiFall } from '../../data/readers/mobifall.js';
import { toUniformRate } from '../../data/signal/windowing.js';
import { STANDARD_GRAVITY } from '../../protocol/sensor-messages.js';

const NAMES: Record<string, string> = { STD: 'Standing', WAL: 'Walking', STU: 'Stairs up', SCH: 'Sit chair', FOL: 'Forward-lying' };

/** A trial in the MobiFall acc format: header, @DATA, irregular ~90 Hz nanosecond timestamps, m/s². */
function trial(code: string, subject: number, n: number, opts: { headerCode?: string; gapAt?: number } = {}): string {
  const header = [
    '#Acceleration force along the x y z axes (including gravity).',
    '#timestamp(ns),x,y,z(m/s^2)',
    '#Datetime: 05/08/2013 12:47:49',
    '##########################################',
    `#Activity: 1 - ${opts.headerCode ?? code} - ${NAMES[code] ?? code} - 5m`,
    `#Subject ID: ${subject}`,
    '#Age: 26',
    '##########################################',
    '',
    '',
    '@DATA',
  ];
  let t = 1645137553000;
  const rows: string[] = [];
  for (let i = 0; i < n; i++) {
    t += [9_500_000, 10_600_000, 14_000_000][i % 3]! + (i === opts.gapAt ? 300_000_000 : 0);
    rows.push(`${t}, ${(-0.05 * STANDARD_GRAVITY).toFixed(7)}, ${(1.01 * STANDARD_GRAVITY).toFixed(7)}, ${(0.02 * STANDARD_GRAVITY).toFixed(7)}`);
  }
  return [...header, ...rows].join('\n') + '\n';
}

async function mobifallFolder(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'mobifall-'));
  const put = async (rel: string, body: string | Buffer) => {
    await mkdir(join(root, rel, '..'), { recursive: true });
    await writeFile(join(root, rel), body);
  };
  await writeFile(join(root, 'DataDescribe.txt'), 'description');
  await put('sub2/ADL/STD/STD_acc_2_1.txt.gz', gzipSync(trial('STD', 2, 400)));
  await put('sub2/ADL/WAL/WAL_acc_2_1.txt', trial('WAL', 2, 300));
  await put('sub2/ADL/SCH/SCH_acc_2_1.txt.gz', gzipSync(trial('SCH', 2, 100)));
  await put('sub3/ADL/STU/STU_acc_3_2.txt.gz', gzipSync(trial('STU', 3, 200)));
  await put('sub1/FALLS/FOL/FOL_acc_1_1.txt.gz', gzipSync(trial('FOL', 1, 100)));
  return root;
}

describe('mobifall reader', () => {
  it('parses a trial: header checked, ns -> ms from the first sample, m/s² -> g, label from the code', () => {
    const rec = parseMobiFall(trial('WAL', 4, 30), '/d/sub4/ADL/WAL/WAL_acc_4_3.txt');
    expect(rec.id).toBe('mobifall_WAL_4_3');
    expect(rec.labels.every((l) => l === 'walking')).toBe(true);
    expect([rec.user, rec.placement, rec.dataset]).toEqual([4, 'pocket', 'mobifall']);
    expect(rec.t[0]).toBe(0);
    expect(rec.t[1]).toBeCloseTo(10.6, 6);
    expect(rec.t[2]).toBeCloseTo(24.6, 6);
    expect(rec.y[0]).toBeCloseTo(1.01, 5);
    expect(rec.rateHz).toBeGreaterThan(70);
  });

  it('resamples the irregular clock by timestamp to 50 Hz and restarts after a long gap', () => {
    const rec = parseMobiFall(trial('STD', 2, 600, { gapAt: 300 }), 'STD_acc_2_1.txt');
    const s = toUniformRate(rec, 50);
    const span = rec.t[rec.t.length - 1]!;
    expect(s.t.length).toBeGreaterThan(span / 20 - 20); // about span/20 points, minus the gap's 300 ms
    expect(s.t.length).toBeLessThan(span / 20 + 2);
    expect(s.t[1]! - s.t[0]!).toBeCloseTo(20, 9);
    expect(s.labels.every((l) => l === 'standing')).toBe(true);
  });

  it('reads the folder layout (gzip or plain), leaves out unlabelled codes and falls, filters subjects', async () => {
    const root = await mobifallFolder();
    const recs = await readMobiFall(root);
    expect(recs.map((r) => r.id)).toEqual(['mobifall_STD_2_1', 'mobifall_WAL_2_1', 'mobifall_STU_3_2']);
    expect(recs.map((r) => r.labels[0])).toEqual(['standing', 'walking', 'upstairs']);
    const sub3 = await readRecordings('mobifall', root, { users: [3] });
    expect(sub3.map((r) => r.id)).toEqual(['mobifall_STU_3_2']);
    await expect(readMobiFall(root, { users: [1] })).rejects.toThrow(/subject\(s\) 1 .*daily activities: 2, 3/);
  });

  it('rejects a header that disagrees with the file name, a missing @DATA and bad rows', () => {
    expect(() => parseMobiFall(trial('WAL', 2, 5, { headerCode: 'JOG' }), 'WAL_acc_2_1.txt')).toThrow(/header says activity JOG, the file name WAL/);
    expect(() => parseMobiFall(trial('WAL', 2, 5), 'WAL_acc_3_1.txt')).toThrow(/header says subject 2, the file name 3/);
    expect(() => parseMobiFall('#Activity: 2 - WAL\n1, 2, 3, 4\n', 'WAL_acc_2_1.txt')).toThrow(/no @DATA line/);
    expect(() => parseMobiFall('@DATA\n1, 2, 3\n', 'WAL_acc_2_1.txt')).toThrow(/WAL_acc_2_1.txt:2: expected 'timestamp_ns, x, y, z'/);
    expect(() => parseMobiFall('@DATA\n1, 2, 3, 4\n', 'walking.txt')).toThrow(/file name/);
  });
});
