// Entry points of the form `npm run <verb> -- <subcommand> [options]`: one table of
// subcommands, uniform --help and errors, and an exit code of 2 for usage errors.
import { CliError, HelpRequested, type CommandSpec } from './args.js';

export interface Subcommand {
  summary: string;
  /** Loaded lazily so that `--help` and typos answer without importing TensorFlow. */
  load: () => Promise<SubcommandModule>;
}

/** What a subcommand's module exports: its options (for --help and the tests of option spellings) and its body. */
export interface SubcommandModule {
  spec: CommandSpec;
  main(argv: string[]): Promise<void>;
}

export async function runSubcommands(verb: string, table: Record<string, Subcommand>, argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  const names = Object.keys(table);
  const help = () =>
    [
      `Usage: npm run ${verb} -- <${names.join('|')}> [options]`,
      '',
      ...names.map((n) => `  ${n.padEnd(Math.max(...names.map((x) => x.length)))}  ${table[n]!.summary}`),
      '',
      `Run \`npm run ${verb} -- <name> --help\` for the options of one.`,
    ].join('\n');
  if (!name || name === '--help' || name === '-h') {
    console.log(help());
    if (!name) process.exitCode = 2;
    return;
  }
  const sub = table[name];
  if (!sub) {
    console.error(`${verb}: unknown subcommand '${name}'\n\n${help()}`);
    process.exitCode = 2;
    return;
  }
  await runMain(verb, () => sub.load().then((m) => m.main(rest)));
}

/** Runs a CLI body: --help goes to stdout, usage errors to stderr with exit code 2. */
export async function runMain(verb: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (err instanceof HelpRequested) {
      console.log(err.text);
      return;
    }
    if (err instanceof CliError) {
      console.error(`${verb}: ${err.message}`);
      process.exitCode = 2;
      return;
    }
    console.error(`${verb}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  }
}
