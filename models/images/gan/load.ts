// Loads a trained generator (DCGAN or conditional GAN) from the model store.
import type * as tf from '@tensorflow/tfjs';
import { modelDir, type ModelMetadata } from '../../store/model-store.js';
import { loadModelGroup } from '../shared/model-group.js';

export async function loadGenerator(nameOrDir: string): Promise<{ generator: tf.LayersModel; metadata: ModelMetadata }> {
  const { models, metadata } = await loadModelGroup(modelDir(nameOrDir), ['generator']);
  return { generator: models.generator, metadata };
}
