// Every `npm run eval -- <model>` says in its JSON last line where it ran: `backend` (and, on
// webgpu, `adapter`; tests/webgpu/lm-eval-on-webgpu.test.ts checks that one). Each evaluator of the
// registry runs here on WASM on something tiny: untrained stand-ins, a few npm-package digits, a
// short CSV recording, the committed word model on two sentences. A new evaluator fails the first
// test until it is listed here.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluators } from '../../models/cli/registry.js';
import { backendReport, initBackend } from '../../models/runtime/backend.js';
import { saveUntrainedHarModel } from '../har/untrained-model-dir.js';
import { lastJsonOf } from '../helpers/cli-json.js';
import { saveUntrainedImageModels } from '../images/helpers/untrained-models.js';

let images = '';
let har = '';
let csv = '';
let text = '';

/** The arguments each evaluator runs with here (all on --backend wasm). */
const argvs: Record<string, () => string[]> = {
  har: () => ['--format', 'csv', '--data', csv, '--model', har],
  lm: () => ['--model', 'english-word', '--text', text, '--streams', '4'],
  'mnist-cnn': () => ['--model', join(images, 'mnist-cnn'), '--limit', '20'],
  autoencoder: () => ['--model', join(images, 'autoencoder'), '--limit', '20'],
  vae: () => ['--model', join(images, 'vae'), '--limit', '20'],
  dcgan: () => ['--model', join(images, 'dcgan'), '--judge', join(images, 'mnist-cnn'), '--samples', '20', '--diversity-samples', '4'],
  cgan: () => ['--model', join(images, 'cgan'), '--judge', join(images, 'mnist-cnn'), '--per-label', '2', '--diversity-samples', '2'],
  transfer: () => ['--model', join(images, 'mnist-cnn'), '--limit', '20', '--repeats', '1', '--epochs', '1', '--shots', '1'],
};

beforeAll(async () => {
  await initBackend('wasm');
  images = await saveUntrainedImageModels();
  har = await saveUntrainedHarModel(3, 'eval-backend-har-');
  const dir = await mkdtemp(join(tmpdir(), 'eval-backend-'));
  // 6 s of walking at 50 Hz (in g, the csv default): a few HAR windows.
  const rows = ['timestamp_ms,x,y,z,label'];
  for (let i = 0; i < 300; i++) rows.push(`${i * 20},${(1 + 0.3 * Math.sin(i / 4)).toFixed(4)},0.04,0.02,walking`);
  csv = join(dir, 'walk.csv');
  await writeFile(csv, rows.join('\n') + '\n');
  text = join(dir, 'text.txt');
  await writeFile(text, 'Call me Ishmael. The state of the union is strong, and the whale is white.\n');
}, 60_000);

describe('every eval JSON names its backend', { timeout: 60_000 }, () => {
  it('lists every evaluator of the registry', () => {
    expect(Object.keys(argvs).sort()).toEqual(Object.keys(evaluators).sort());
  });

  for (const name of Object.keys(evaluators)) {
    it(`eval ${name}`, async () => {
      const { main } = (await evaluators[name]!.load()) as { main(argv: string[]): Promise<void> };
      const json = await lastJsonOf(main, [...(argvs[name]?.() ?? []), '--backend', 'wasm']);
      expect(json.backend).toBe('wasm');
      expect(json).not.toHaveProperty('adapter'); // only a GPU adapter is named
      expect({ backend: json.backend }).toEqual(backendReport());
    });
  }
});
