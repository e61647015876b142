// A language model in the model store: the standard model files plus tokenizer.json beside
// them (its vocabulary is the model's input and output space).
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWrite } from '../store/file-io.js';
import { loadMetadata, loadModel, modelDir, ModelNotFoundError, saveModel, type ModelMetadata } from '../store/model-store.js';
import { LstmStepper } from './lstm-step.js';
import { tokenizerFromJSON, type Tokenizer } from './tokenizer.js';

export const LM_KIND = 'lm-lstm';
const TOKENIZER_JSON = 'tokenizer.json';

export interface LoadedLm {
  name: string;
  model: tf.LayersModel;
  stepper: LstmStepper;
  tokenizer: Tokenizer;
  metadata: ModelMetadata;
}

export async function saveLm(dir: string, model: tf.LayersModel, tokenizer: Tokenizer, metadata: ModelMetadata): Promise<void> {
  await saveModel(model, dir, metadata);
  await atomicWrite(join(dir, TOKENIZER_JSON), JSON.stringify(tokenizer.toJSON()) + '\n');
}

export async function loadTokenizer(dir: string): Promise<Tokenizer> {
  const path = join(dir, TOKENIZER_JSON);
  if (!existsSync(path)) throw new Error(`${dir} has no ${TOKENIZER_JSON}: is it a language model?`);
  return tokenizerFromJSON(JSON.parse(await readFile(path, 'utf8')));
}

/** A language model's metadata and tokenizer, without its weights (a thread that only tokenizes needs no more). */
export async function loadLmDescription(nameOrDir: string): Promise<{ dir: string; metadata: ModelMetadata; tokenizer: Tokenizer }> {
  const dir = modelDir(nameOrDir);
  if (!existsSync(join(dir, 'model.json'))) throw new ModelNotFoundError(dir);
  const metadata = await loadMetadata(dir);
  if (metadata.kind !== LM_KIND) throw new Error(`${nameOrDir} is a '${metadata.kind}' model, not a language model (${LM_KIND})`);
  return { dir, metadata, tokenizer: await loadTokenizer(dir) };
}

/** Loads a language model by name (models/trained/<name>) or directory. */
export async function loadLm(nameOrDir: string): Promise<LoadedLm> {
  const { dir, tokenizer } = await loadLmDescription(nameOrDir);
  const { model, metadata } = await loadModel(dir);
  const stepper = LstmStepper.fromModel(model);
  if (stepper.vocabSize !== tokenizer.size) {
    stepper.dispose();
    throw new Error(`${nameOrDir}: the model has ${stepper.vocabSize} outputs but the tokenizer ${tokenizer.size} tokens`);
  }
  return { name: metadata.name, model, stepper, tokenizer, metadata };
}
