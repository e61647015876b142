// Option parsing shared by the HAR train and eval CLIs.
import { CliError } from '../../cli/args.js';

/** '1,3,5' -> [1, 3, 5]; subject ids are positive integers. */
export function parseUserList(s: string): number[] {
  const users = s
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean)
    .map(Number);
  if (users.length === 0 || users.some((u) => !Number.isInteger(u) || u < 1)) throw new CliError(`user ids must be a comma-separated list of positive integers (got '${s}')`);
  return users;
}
