// `npm run simulate -- <name> [options]`: device simulators; the last stdout line is JSON.
import { runSubcommands } from '../cli/subcommands.js';
import { simulators } from './registry.js';

await runSubcommands('simulate', simulators, process.argv.slice(2));
