import { describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatCsv, parseCsv, readCsv } from '../../data/readers/csv.js';
import { STANDARD_GRAVITY } from '../../protocol/sensor-messages.js';

const HEADER = 'timestamp_ms,x,y,z,label';

function rows(n: number, stepMs: number, f: (i: number) => string): string {
  return [HEADER, ...Array.from({ length: n }, (_, i) => `${1000 + i * stepMs},0.1,0.2,0.97,${f(i)}`)].join('\n');
}

describe('csv reader', () => {
  it('reads g, estimates the rate and normalises labels', () => {
    const rec = parseCsv(
      rows(40, 40, (i) => ['walking', 'STAIRS', 'jumping', ''][i % 4]!),
      '/x/phone-a.csv',
    );
    expect(rec.id).toBe('phone-a');
    expect(rec.rateHz).toBeCloseTo(25, 9);
    expect(rec.x[0]).toBeCloseTo(0.1, 6);
    expect(rec.labels.slice(0, 4)).toEqual(['walking', 'stairs', undefined, undefined]);
    expect(rec.warnings).toBeUndefined();
  });

  it('converts m/s² to g and warns when units look wrong', () => {
    const text = [HEADER, ...Array.from({ length: 10 }, (_, i) => `${i * 10},0,0,${-STANDARD_GRAVITY},sitting`)].join('\n');
    const ms2 = parseCsv(text, 'a.csv', { units: 'm/s2' });
    expect(ms2.z[0]).toBeCloseTo(-1, 6);
    expect(ms2.warnings).toBeUndefined();
    const asG = parseCsv(text, 'a.csv');
    expect(asG.warnings?.join()).toMatch(/looks like m\/s²/);
  });

  it('accepts a header without label, CRLF, a BOM and quoted labels', () => {
    const noLabel = parseCsv('timestamp_ms,x,y,z\r\n0,0,0,1\r\n20,0,0,1\r\n', 'b.csv');
    expect(noLabel.labels).toEqual([undefined, undefined]);
    const quoted = parseCsv('\uFEFF' + HEADER + '\n0,0,0,1,"lying"\n20,0,0,1,"lying"\n', 'c.csv');
    expect(quoted.labels).toEqual(['lying', 'lying']);
  });

  it('sorts rows whose timestamps go backwards, with a warning', () => {
    const rec = parseCsv(`${HEADER}\n0,1,0,0,\n40,3,0,0,\n20,2,0,0,\n60,4,0,0,\n`, 'd.csv');
    expect(Array.from(rec.t)).toEqual([0, 20, 40, 60]);
    expect(Array.from(rec.x)).toEqual([1, 2, 3, 4]);
    expect(rec.warnings?.join()).toMatch(/not in order/);
  });

  it('reports bad headers and rows with line numbers', () => {
    expect(() => parseCsv('time,x,y,z\n0,0,0,1\n', 'e.csv')).toThrow(/e\.csv:1: bad header/);
    expect(() => parseCsv(`${HEADER}\n0,0,0,1,walking\n\n20,0,abc,1,walking\n`, 'f.csv')).toThrow(/f\.csv:4: y is not a number: 'abc'/);
    expect(() => parseCsv(`${HEADER}\n0,0,0,1,walking,extra\n`, 'g.csv')).toThrow(/g\.csv:2: expected 5 columns, got 6/);
    expect(() => parseCsv(`${HEADER}\n0,0,0,1,\n`, 'h.csv')).toThrow(/at least 2 samples/);
    expect(() => parseCsv(`${HEADER}\n0,0,0,1,\n0.02,0,0,1,\n0.04,0,0,1,\n`, 'i.csv')).toThrow(/milliseconds/);
  });

  it('reads a file or a folder of files, and round-trips formatCsv', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'csv-'));
    const rec = parseCsv(
      rows(10, 20, () => 'standing'),
      'src.csv',
    );
    await writeFile(join(dir, 'b.csv'), formatCsv(rec, { units: 'm/s2' }));
    await writeFile(
      join(dir, 'a.csv'),
      rows(5, 10, () => 'lying'),
    );
    await writeFile(join(dir, 'notes.txt'), 'ignored');
    const recs = await readCsv(dir, { units: 'm/s2' });
    expect(recs.map((r) => r.id)).toEqual(['a', 'b']);
    const b = recs[1]!;
    expect(Array.from(b.t)).toEqual(Array.from(rec.t));
    for (let i = 0; i < 10; i++) expect(b.z[i]).toBeCloseTo(rec.z[i]!, 5);
    expect(b.labels).toEqual(rec.labels);
    expect((await readCsv(join(dir, 'a.csv'), {}))[0]!.labels[0]).toBe('lying');
    await expect(readCsv(join(dir, 'missing.csv'))).rejects.toThrow(/not found/);
    const empty = await mkdtemp(join(tmpdir(), 'csv-'));
    await expect(readCsv(empty)).rejects.toThrow(/no .csv files/);
  });

  it('reads subfolders too (one per person), in path order, with ids that stay unique', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'csv-'));
    for (const person of ['p2', 'p1']) {
      await mkdir(join(dir, person));
      await writeFile(
        join(dir, person, 'walk.csv'),
        rows(5, 10, () => 'walking'),
      );
    }
    await writeFile(
      join(dir, 'top.csv'),
      rows(5, 10, () => 'sitting'),
    );
    const recs = await readCsv(dir);
    expect(recs.map((r) => r.id)).toEqual(['p1/walk', 'p2/walk', 'top']);
    expect(recs[2]!.labels[0]).toBe('sitting');
  });
});
