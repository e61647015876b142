// Loads a trained VAE (encoder + decoder) from the model store.
import { modelDir, type ModelMetadata } from '../../store/model-store.js';
import { loadModelGroup } from '../shared/model-group.js';
import type { Vae } from './model.js';

export async function loadVae(nameOrDir: string): Promise<Vae & { metadata: ModelMetadata }> {
  const { models, metadata } = await loadModelGroup(modelDir(nameOrDir), ['encoder', 'decoder']);
  return { encoder: models.encoder, decoder: models.decoder, metadata };
}
