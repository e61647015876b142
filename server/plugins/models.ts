// GET /api/models: one card per trained model (server/model-cards/model-card.ts) for the
// /models/ page. Read from disk at each request (a few small files; a newly trained model shows
// without a restart). Viewer scope, like every /api read.
import type { FastifyPluginAsync } from 'fastify';
import { TRAINED_MODELS_DIR } from '../../models/store/model-store.js';
import { readModelCards } from '../model-cards/model-card.js';

export const MODELS_PATH = '/api/models';

export interface ModelsPluginOptions {
  /** Folder of model folders (default models/trained). */
  dir?: string;
}

const numberRecord = { type: 'object', additionalProperties: { type: 'number' } } as const;

const cardSchema = {
  type: 'object',
  required: ['name', 'kind', 'datasets', 'metrics', 'history'],
  properties: {
    name: { type: 'string' },
    kind: { type: 'string' },
    description: { type: 'string' },
    classes: { type: 'array', items: { type: 'string' } },
    datasets: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name'],
        properties: { name: { type: 'string' }, citation: { type: 'string' }, license: { type: 'string' }, source: { type: 'string' } },
      },
    },
    metrics: { type: 'array', items: { type: 'object', required: ['name', 'value'], properties: { name: { type: 'string' }, value: { type: 'number' } } } },
    command: { type: 'string' },
    seed: { type: 'number' },
    epochs: { type: 'number' },
    backend: { type: 'string' },
    trainedAt: { type: 'string' },
    history: { type: 'array', items: numberRecord },
    confusion: {
      type: 'object',
      required: ['rows', 'columns', 'counts', 'title'],
      properties: {
        rows: { type: 'array', items: { type: 'string' } },
        columns: { type: 'array', items: { type: 'string' } },
        counts: { type: 'array', items: { type: 'array', items: { type: 'number' } } },
        title: { type: 'string' },
      },
    },
  },
} as const;

export const modelsPlugin: FastifyPluginAsync<ModelsPluginOptions> = async (app, opts) => {
  const dir = opts.dir ?? TRAINED_MODELS_DIR;
  app.get(
    MODELS_PATH,
    {
      schema: {
        description: 'Trained models: what each is, its data, metrics, command and training history',
        response: { 200: { type: 'object', required: ['models'], properties: { models: { type: 'array', items: cardSchema } } } },
      },
    },
    async () => ({ models: readModelCards(dir) }),
  );
};
