// Untrained stand-ins for every image-lab model, saved in the model-store layout, so that route
// tests exercise loading and inference without trained weights.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDenoiser } from '../../../models/images/autoencoder/model.js';
import { GAN_CONFIG } from '../../../models/images/gan/layers.js';
import { buildGan } from '../../../models/images/gan/models.js';
import { buildMnistCnn } from '../../../models/images/mnist-cnn/model.js';
import { saveModelGroup } from '../../../models/images/shared/model-group.js';
import { buildVae, VAE_2D_CONFIG, VAE_CONFIG } from '../../../models/images/vae/model.js';
import { saveModel } from '../../../models/store/model-store.js';

export async function saveUntrainedImageModels(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'image-lab-models-'));
  const meta = (name: string) => ({ name, kind: 'untrained-test-stand-in' });
  const cnn = buildMnistCnn(1);
  await saveModel(cnn, join(dir, 'mnist-cnn'), meta('mnist-cnn'));
  const ae = buildDenoiser(1);
  await saveModel(ae, join(dir, 'autoencoder'), { ...meta('autoencoder'), input: { noise: { sigma: 0.5 } } });
  for (const [name, config] of [
    ['vae', VAE_CONFIG],
    ['vae-2d', VAE_2D_CONFIG],
  ] as const) {
    const vae = buildVae(config, 1);
    await saveModelGroup(join(dir, name), vae, meta(name));
    vae.encoder.dispose();
    vae.decoder.dispose();
  }
  for (const kind of ['dcgan', 'cgan'] as const) {
    const gan = buildGan(kind, GAN_CONFIG, 1);
    await saveModelGroup(join(dir, kind), { generator: gan.generator }, meta(kind));
    gan.generator.dispose();
    gan.discriminator.dispose();
  }
  cnn.dispose();
  ae.dispose();
  return dir;
}
