// The benchmarks `npm run bench` knows.
import type { Subcommand } from '../cli/subcommands.js';

export const benchmarks: Record<string, Subcommand> = {};
