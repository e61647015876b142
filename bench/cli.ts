// `npm run bench -- <name> [options]`: benchmarks; the last stdout line is JSON.
import { runSubcommands } from '../cli/subcommands.js';
import { benchmarks } from './registry.js';

await runSubcommands('bench', benchmarks, process.argv.slice(2));
