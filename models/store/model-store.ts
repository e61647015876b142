// The model store: a folder per model holding the standard tfjs files (model.json +
// weights.bin) and metadata.json (what the model expects and how it was made).
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { atomicWrite, fileSystemIO } from './file-io.js';
import { currentBackend } from '../runtime/backend.js';

/** Where committed models live: models/trained/<name>/. */
export const TRAINED_MODELS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'trained');

export interface ModelMetadata {
  name: string;
  /** Which family of model (har-cnn, lm-lstm, mnist-cnn…). */
  kind: string;
  description?: string;
  /** Output classes, in output order. */
  classes?: string[];
  /** Input layout, e.g. { shape: [128, 3], rateHz: 50, units: 'g' }. */
  input?: Record<string, unknown>;
  normalisation?: Record<string, unknown>;
  /** Datasets used, with where they came from and their citation. */
  data?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  /** The exact command that produced these weights. */
  command?: string;
  seed?: number;
  epochs?: number;
  backend?: string;
  trainedAt?: string;
  /** Anything model-specific (tokenizer vocabulary, latent size…). */
  extra?: Record<string, unknown>;
}

export function modelDir(nameOrDir: string): string {
  return nameOrDir.includes('/') || nameOrDir.includes('\\') ? resolve(nameOrDir) : join(TRAINED_MODELS_DIR, nameOrDir);
}

export async function saveModel(model: tf.LayersModel, dir: string, metadata: ModelMetadata, opts: { includeOptimizer?: boolean } = {}): Promise<void> {
  await model.save(fileSystemIO(dir), { includeOptimizer: opts.includeOptimizer ?? false });
  await saveMetadata(dir, metadata);
}

export async function saveMetadata(dir: string, metadata: ModelMetadata): Promise<void> {
  const full: ModelMetadata = {
    ...metadata,
    backend: metadata.backend ?? currentBackend()?.name,
    trainedAt: metadata.trainedAt ?? new Date().toISOString(),
  };
  await atomicWrite(join(dir, 'metadata.json'), JSON.stringify(full, null, 2) + '\n');
}

export class ModelNotFoundError extends Error {
  constructor(readonly dir: string) {
    super(`no model at ${dir} (expected model.json, weights.bin and metadata.json; train one with \`npm run train\`)`);
    this.name = 'ModelNotFoundError';
  }
}

export async function loadModel(dir: string): Promise<{ model: tf.LayersModel; metadata: ModelMetadata }> {
  if (!existsSync(join(dir, 'model.json'))) throw new ModelNotFoundError(dir);
  const model = await tf.loadLayersModel(fileSystemIO(dir));
  return { model, metadata: await loadMetadata(dir) };
}

export async function loadMetadata(dir: string): Promise<ModelMetadata> {
  const path = join(dir, 'metadata.json');
  if (!existsSync(path)) throw new ModelNotFoundError(dir);
  return JSON.parse(await readFile(path, 'utf8')) as ModelMetadata;
}
