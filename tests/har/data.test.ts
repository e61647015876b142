import { describe, expect, it } from 'vitest';
import type { HarLabel, Recording } from '../../data/readers/recording.js';
import { labelledRuns, sampleEpoch, splitByUsers } from '../../models/har/data.js';
import { ACTIVITIES, ACTIVITY_NAMES } from '../../protocol/sensor-messages.js';
import { placementCode } from '../../models/har/features.js';

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

  it("'stairs' runs train either stairs class; runs carry the placement, and dropout hides it", () => {
    const labels: HarLabel[] = [...Array(300).fill('stairs'), ...Array(300).fill('jogging'), ...Array(300).fill('sitting')];
    const pocket: Recording = { ...rec('w', 1600, labels), placement: 'pocket' };
    const runs = labelledRuns([pocket], ACTIVITY_NAMES, 50, 128);
    expect(runs.map((r) => [r.classIndex, r.targets, r.placement, r.moving])).toEqual([
      [-1, [1, 2], placementCode('pocket'), true],
      [6, [6], placementCode('pocket'), true],
      [3, [3], placementCode('pocket'), false],
    ]);
    // Without both stairs classes a 'stairs' run has nothing to train.
    expect(labelledRuns([pocket], ['walking', 'sitting', 'jogging'], 50, 128).map((r) => r.targets)).toEqual([[2], [1]]);
    const open = sampleEpoch(runs, { size: 128, hop: 32, seed: 1, epoch: 0 });
    expect(new Set(open.placements)).toEqual(new Set([placementCode('pocket')]));
    expect(open.targets.filter((t) => t.length === 2).length).toBe(open.y.filter((y) => y === -1).length);
    const hidden = sampleEpoch(runs, { size: 128, hop: 32, seed: 1, epoch: 0, placementDropout: 0.5 });
    const unknown = Array.from(hidden.placements).filter((p) => p === -1).length;
    expect(unknown).toBeGreaterThan(hidden.n * 0.25);
    expect(unknown).toBeLessThan(hidden.n * 0.75);
  });
});
