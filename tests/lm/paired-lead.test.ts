import { describe, expect, it } from 'vitest';
import { PairedLead } from '../../models/lm/paired-lead.js';

/** A seeded 0..1 sequence, so the tests are the same on every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('PairedLead', () => {
  it('measures the lead as the mean paired difference, in any order of positions', () => {
    const p = new PairedLead();
    // 3 of 4 positions: model hit, baseline miss; 1: both hit.
    p.add(3, true, true);
    p.add(0, true, false);
    p.add(2, true, false);
    p.add(1, true, false);
    expect(p.report(2)).toMatchObject({ n: 4, lead: 0.75, blocks: 2 });
  });

  it('gives an interval that excludes 0 for a real lead and includes 0 for none', () => {
    const rand = lcg(7);
    const better = new PairedLead();
    const same = new PairedLead();
    for (let i = 0; i < 20_000; i++) {
      const base = rand() < 0.28;
      better.add(i, base || rand() < 0.04, base);
      same.add(i, rand() < 0.28, rand() < 0.28);
    }
    const b = better.report();
    expect(b.ci95[0]).toBeGreaterThan(0);
    expect(b.ci95[0]).toBeLessThan(b.lead);
    expect(b.ci95[1]).toBeGreaterThan(b.lead);
    const s = same.report();
    expect(s.ci95[0]).toBeLessThan(0);
    expect(s.ci95[1]).toBeGreaterThan(0);
  });

  it('widens the interval when verdicts come in runs (correlated neighbours)', () => {
    const rand = lcg(11);
    const independent = new PairedLead();
    const runs = new PairedLead();
    let runValue = 0;
    for (let i = 0; i < 20_000; i++) {
      independent.add(i, rand() < 0.5, rand() < 0.5);
      if (i % 200 === 0) runValue = rand() < 0.5 ? 1 : -1; // passages of 200 tokens that favour one side
      runs.add(i, runValue > 0, runValue < 0);
    }
    const width = (r: { ci95: [number, number] }) => r.ci95[1] - r.ci95[0];
    expect(width(runs.report())).toBeGreaterThan(2 * width(independent.report()));
  });

  it('reports no interval with fewer than two blocks', () => {
    const p = new PairedLead();
    for (let i = 0; i < 10; i++) p.add(i, true, false);
    const r = p.report(500);
    expect(r.lead).toBe(1);
    expect(r.ci95.every(Number.isNaN)).toBe(true);
  });
});
