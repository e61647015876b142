// Personal heads on disk: safe, reversible file names (no traversal from a device id), round
// trips, and files that must not be used (another shared model, damaged, another device's).
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { headFingerprint, type HeadWeights, type PersonalHead } from '../../models/har/personal-head.js';
import { PersonalModels } from '../../server/calibration/personal-models.js';
import { personalFileName, PersonalStore } from '../../server/calibration/personal-store.js';
import { DEFAULT_CONFIG } from '../../server/config.js';

const SHARED: HeadWeights = { classes: ['walking', 'sitting'], featureSize: 2, kernel: new Float32Array([1, 0, 0, 1]), bias: new Float32Array([0, 0.5]) };
const HEAD: PersonalHead = {
  ...SHARED,
  kernel: new Float32Array([0.5, 0.25, -1, 2]),
  bias: new Float32Array([0.1, -0.1]),
  sharedFingerprint: headFingerprint(SHARED),
  calibrated: ['walking', 'sitting'],
  windows: { walking: 4, sitting: 5 },
  trainAccuracy: 1,
  fittedAt: '2026-12-04T00:00:00.000Z',
};
const EXPECT = { classes: SHARED.classes, featureSize: 2, fingerprint: headFingerprint(SHARED) };

describe('personal head files', () => {
  it('names files with [A-Za-z0-9_-] only, distinct per id, inside the folder', async () => {
    const ids = ['phone-1', 'phone.1', 'phone_2e1', '..', '.', 'a:b', '../../etc/passwd', 'a/b', 'A', 'a'];
    const names = ids.map(personalFileName);
    for (const n of names) expect(n).toMatch(/^[A-Za-z0-9_-]+\.json$/);
    expect(new Set(names).size).toBe(ids.length);
    expect(personalFileName('..')).toBe('_2e_2e.json');
    const dir = await mkdtemp(join(tmpdir(), 'sensorium-store-'));
    const store = new PersonalStore(dir);
    for (const id of ids) expect(store.pathOf(id).startsWith(dir + '/')).toBe(true);
    await store.save('../../etc/passwd', HEAD);
    expect(await readdir(dir)).toEqual(['_2e_2e_2f_2e_2e_2fetc_2fpasswd.json']);
  });

  it('round-trips a head; refuses stale, damaged or foreign files; remove is idempotent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sensorium-store-'));
    const store = new PersonalStore(dir);
    expect(await store.load('p1', EXPECT)).toEqual({});
    await store.save('p1', HEAD);
    const loaded = await store.load('p1', EXPECT);
    expect(loaded.problem).toBeUndefined();
    expect(Array.from(loaded.head!.kernel)).toEqual(Array.from(HEAD.kernel));
    expect(loaded.head!.windows).toEqual(HEAD.windows);
    expect((await store.load('p1', { ...EXPECT, fingerprint: 'another-model' })).problem).toMatch(/another shared model/);
    // Copied to another device's name: not that device's head.
    await writeFile(store.pathOf('p2'), await readFile(store.pathOf('p1')));
    expect((await store.load('p2', EXPECT)).problem).toMatch(/not this device/);
    const damaged = JSON.parse(await readFile(store.pathOf('p1'), 'utf8'));
    damaged.kernel[0] = 'NaN';
    await writeFile(store.pathOf('p1'), JSON.stringify(damaged));
    expect((await store.load('p1', EXPECT)).problem).toMatch(/damaged/);
    await writeFile(store.pathOf('p1'), '{not json');
    expect((await store.load('p1', EXPECT)).problem).toMatch(/not JSON/);
    await store.remove('p1');
    await store.remove('p1');
    expect(await store.load('p1', EXPECT)).toEqual({});
  });
});

describe('personal heads and placement', () => {
  it('a head fitted at one placement is not used at another (the features depend on it)', async () => {
    const logs: string[] = [];
    const models = new PersonalModels(
      { ...DEFAULT_CONFIG.personal, dir: await mkdtemp(join(tmpdir(), 'sensorium-store-')) },
      () => SHARED,
      (m) => logs.push(m),
    );
    await models.store.save('p1', { ...HEAD, placement: 'pocket' });
    expect((await models.load('p1', 'pocket'))?.placement).toBe('pocket');
    expect(await models.load('p1', 'waist')).toBeUndefined();
    expect(logs.at(-1)).toMatch(/placement 'pocket', the device now says 'waist'/);
    // Heads without a placement (fitted before it was recorded) apply anywhere.
    await models.store.save('p2', HEAD);
    expect(await models.load('p2', 'waist')).toBeDefined();
  });
});
