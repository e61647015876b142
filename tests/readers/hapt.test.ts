import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readHapt } from '../../data/readers/hapt.js';

/** A synthetic folder laid out like HAPT RawData: x = sample index (1-based), y = exp, z = user. */
async function haptFolder(files: { exp: number; user: number; n: number }[], labels: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hapt-'));
  for (const f of files) {
    const rows = Array.from({ length: f.n }, (_, i) => `${i + 1} ${f.exp} ${f.user}`);
    await writeFile(join(dir, `acc_exp${String(f.exp).padStart(2, '0')}_user${String(f.user).padStart(2, '0')}.txt`), rows.join('\n') + '\n');
  }
  await writeFile(join(dir, 'labels.txt'), labels);
  return dir;
}

describe('readHapt', () => {
  it('reads samples at 50 Hz and labels 1-based inclusive segments; transitions stay unlabelled', async () => {
    const dir = await haptFolder(
      [
        { exp: 2, user: 1, n: 30 },
        { exp: 1, user: 1, n: 20 },
      ],
      '1 1 5 3 6\n1 1 7 7 8\n1 1 1 10 20\n2 1 6 1 30\n',
    );
    const recs = await readHapt(dir);
    expect(recs.map((r) => r.id)).toEqual(['exp01_user01', 'exp02_user01']);
    const r = recs[0]!;
    expect(r.user).toBe(1);
    expect(r.rateHz).toBe(50);
    expect(r.x.length).toBe(20);
    expect(r.x[0]).toBe(1);
    expect(r.t[0]).toBe(0);
    expect(r.t[19]).toBe(380);
    expect(r.labels.slice(0, 10)).toEqual([undefined, undefined, 'standing', 'standing', 'standing', 'standing', undefined, undefined, undefined, 'walking']);
    expect(r.labels[19]).toBe('walking');
    expect(recs[1]!.labels.every((l) => l === 'lying')).toBe(true);
  });

  it('filters by user and names users that are absent', async () => {
    const dir = await haptFolder(
      [
        { exp: 1, user: 1, n: 5 },
        { exp: 3, user: 2, n: 5 },
      ],
      '',
    );
    const recs = await readHapt(dir, { users: [2] });
    expect(recs.map((r) => r.id)).toEqual(['exp03_user02']);
    await expect(readHapt(dir, { users: [9] })).rejects.toThrow(/user\(s\) 9.*users present: 1, 2/);
  });

  it('gives clear errors with file and line numbers', async () => {
    await expect(readHapt(join(tmpdir(), 'no-such-hapt'))).rejects.toThrow(/not found/);
    const noLabels = await mkdtemp(join(tmpdir(), 'hapt-'));
    await expect(readHapt(noLabels)).rejects.toThrow(/no labels.txt/);
    const badRow = await haptFolder([{ exp: 1, user: 1, n: 3 }], '');
    await writeFile(join(badRow, 'acc_exp01_user01.txt'), '1 2 3\n1 2\n');
    await expect(readHapt(badRow)).rejects.toThrow(/acc_exp01_user01.txt:2: expected 3 numbers/);
    const badLabel = await haptFolder([{ exp: 1, user: 1, n: 3 }], '1 1 1 1 3\n1 1 x 1 2\n');
    await expect(readHapt(badLabel)).rejects.toThrow(/labels.txt:2: expected 5 integers/);
    const pastEnd = await haptFolder([{ exp: 1, user: 1, n: 3 }], '1 1 1 1 4\n');
    await expect(readHapt(pastEnd)).rejects.toThrow(/labels.txt:1: segment 1-4 runs past the end/);
  });
});
