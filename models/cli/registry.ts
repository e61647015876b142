// Which models can be trained and evaluated, and where their CLIs live.
import type { Subcommand } from '../../cli/subcommands.js';

export const trainers: Record<string, Subcommand> = {};

export const evaluators: Record<string, Subcommand> = {};
