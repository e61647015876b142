// `npm run eval -- <model> [options]`: evaluation reports; the last stdout line is JSON.
import { runSubcommands } from '../../cli/subcommands.js';
import { evaluators } from './registry.js';

await runSubcommands('eval', evaluators, process.argv.slice(2));
