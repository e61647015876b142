// `npm run train -- <model> [options]`: one entry point for every trainable model.
import { runSubcommands } from '../../cli/subcommands.js';
import { trainers } from './registry.js';

await runSubcommands('train', trainers, process.argv.slice(2));
