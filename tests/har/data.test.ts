import { describe, expect, it } from 'vitest';
import type { HarLabel, Recording } from '../../data/readers/recording.js';
import { labelledRuns, sampleEpoch, splitByUsers } from '../../models/har/data.js';
import { ACTIVITIES } from '../../protocol/sensor-messages.js';

function rec(id: string, user: number | undefined, labels: HarLabel[]): Recording {
  const n = labels.length;
  return {
    id,
    user,
    t: Float64Array.from({ length: n }, (_, i) => i * 20),
    x: Float32Array.from({ length: n }, (_, i) => (labels[i] === 'lying' ? 0 : 1)),
    y: new Float32Array(n),
    z: Float32Array.from({ length: n }, (_, i) => (labels[i] === 'lying' ? 1 : 0)),
    labels,
  };
}

describe('HAR training data', () => {
  it('splits by user and refuses users that are missing', () => {
    const recs = [rec('a', 1, []), rec('b', 2, []), rec('c', 1, [])];
    const s = splitByUsers(recs, [1]);
    expect(s.validation.map((r) => r.id)).toEqual(['a', 'c']);
    expect(s.train.map((r) => r.id)).toEqual(['b']);
    expect(() => splitByUsers(recs, [7])).toThrow(/validation user\(s\) 7 not in the data/);
    expect(() => splitByUsers([rec('d', undefined, [])], [1])).toThrow(/no user id/);
  });

  it('samples labelled, augmented windows reproducibly per (seed, epoch)', () => {
    const labels: HarLabel[] = [...Array(400).fill('lying'), ...Array(50).fill(undefined), ...Array(300).fill('standing'), ...Array(100).fill('stairs')];
    const runs = labelledRuns([rec('r', 1, labels)], ACTIVITIES, 50, 128);
    expect(runs.map((r) => [r.start, r.end, r.classIndex])).toEqual([
      [0, 400, 5],
      [450, 750, 4],
    ]); // 'stairs' is not a training class; short runs are skipped
    const a = sampleEpoch(runs, { size: 128, hop: 32, seed: 1, epoch: 0 });
    const b = sampleEpoch(runs, { size: 128, hop: 32, seed: 1, epoch: 0 });
    const c = sampleEpoch(runs, { size: 128, hop: 32, seed: 1, epoch: 1 });
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    expect(Array.from(a.x)).not.toEqual(Array.from(c.x));
    expect(a.n).toBeGreaterThanOrEqual(8 + 4);
    expect(a.x.length).toBe(a.n * 128 * 3);
    // Every window's gravity stays where its class puts it (tilts are moderate): lying -> |z| large.
    for (let i = 0; i < a.n; i++) {
      const o = i * 128 * 3;
      const absX = Math.abs(a.x[o]!);
      const absZ = Math.abs(a.x[o + 2]!);
      if (a.y[i] === 5) expect(absZ).toBeGreaterThan(absX);
      else expect(absX).toBeGreaterThan(absZ);
    }
  });
});
