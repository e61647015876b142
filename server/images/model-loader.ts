// The trained image models the routes serve, loaded on first use from the model store (one load
// in flight per model) and disposed when the server closes. A missing model answers 503.
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { loadVae } from '../../models/images/vae/load.js';
import type { Vae } from '../../models/images/vae/model.js';
import { loadGenerator } from '../../models/images/gan/load.js';
import { loadModel, TRAINED_MODELS_DIR, type ModelMetadata } from '../../models/store/model-store.js';
import { initBackend } from '../../models/runtime/backend.js';

export const IMAGE_MODEL_NAMES = ['mnist-cnn', 'autoencoder', 'vae', 'vae-2d', 'dcgan', 'cgan'] as const;
export type ImageModelName = (typeof IMAGE_MODEL_NAMES)[number];

export interface LoadedImageModels {
  'mnist-cnn': { model: tf.LayersModel; metadata: ModelMetadata };
  autoencoder: { model: tf.LayersModel; metadata: ModelMetadata };
  vae: Vae & { metadata: ModelMetadata };
  'vae-2d': Vae & { metadata: ModelMetadata };
  dcgan: { generator: tf.LayersModel; metadata: ModelMetadata };
  cgan: { generator: tf.LayersModel; metadata: ModelMetadata };
}

export class ImageModelLoader {
  private readonly pending = new Map<ImageModelName, Promise<unknown>>();

  constructor(
    readonly dir: string = TRAINED_MODELS_DIR,
    /** Told how each load ended (error: why it failed), for /api/health on the main thread. */
    private readonly onSettled: (name: ImageModelName, error?: string) => void = () => {},
  ) {}

  get<K extends ImageModelName>(name: K): Promise<LoadedImageModels[K]> {
    let p = this.pending.get(name);
    if (!p) {
      p = this.load(name);
      this.pending.set(name, p);
      p.then(
        () => this.onSettled(name),
        (err: unknown) => {
          this.pending.delete(name); // a model trained later loads on the next request
          this.onSettled(name, err instanceof Error ? err.message : String(err));
        },
      );
    }
    return p as Promise<LoadedImageModels[K]>;
  }

  private async load(name: ImageModelName): Promise<unknown> {
    await initBackend(); // once per thread; returns the backend chosen first
    const dir = join(this.dir, name);
    switch (name) {
      case 'mnist-cnn':
      case 'autoencoder':
        return loadModel(dir);
      case 'vae':
      case 'vae-2d':
        return loadVae(dir);
      case 'dcgan':
      case 'cgan':
        return loadGenerator(dir);
    }
  }

  async dispose(): Promise<void> {
    const all = await Promise.allSettled(this.pending.values());
    this.pending.clear();
    for (const r of all) {
      if (r.status !== 'fulfilled' || !r.value) continue;
      for (const v of Object.values(r.value as Record<string, unknown>)) if (v instanceof tf.LayersModel) v.dispose();
    }
  }
}
