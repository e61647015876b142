// Models made of several networks (VAE encoder + decoder, GAN generator) in the model store: one
// folder per model with a subfolder per network (model.json + weights.bin) and one metadata.json.
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileSystemIO } from '../../store/file-io.js';
import { loadMetadata, ModelNotFoundError, saveMetadata, type ModelMetadata } from '../../store/model-store.js';

export async function saveModelGroup(dir: string, models: Record<string, tf.LayersModel>, metadata: ModelMetadata): Promise<void> {
  for (const [name, model] of Object.entries(models)) {
    await model.save(fileSystemIO(join(dir, name)), { includeOptimizer: false });
  }
  await saveMetadata(dir, { ...metadata, extra: { ...metadata.extra, networks: Object.keys(models) } });
}

export async function loadModelGroup<K extends string>(dir: string, names: readonly K[]): Promise<{ models: Record<K, tf.LayersModel>; metadata: ModelMetadata }> {
  for (const n of names) if (!existsSync(join(dir, n, 'model.json'))) throw new ModelNotFoundError(join(dir, n));
  const metadata = await loadMetadata(dir);
  const models = {} as Record<K, tf.LayersModel>;
  for (const n of names) models[n] = await tf.loadLayersModel(fileSystemIO(join(dir, n)));
  return { models, metadata };
}
