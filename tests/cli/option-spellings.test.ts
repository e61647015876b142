// Every CLI answers --help with the text of its declared options, and the options that mean the
// same thing are spelled the same everywhere (--data, --batch-size, --checkpoint-dir, --out,
// --seed, --epochs, --warmup-seconds…), older spellings listed only as deprecated aliases.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HelpRequested, helpText, parseOptions } from '../../cli/args.js';
import type { Subcommand, SubcommandModule } from '../../cli/subcommands.js';
import { benchmarks } from '../../bench/registry.js';
import { evaluators, trainers } from '../../models/cli/registry.js';
import { simulators } from '../../simulators/registry.js';

type CliModule = SubcommandModule;

/** Every command line: `npm run <verb> -- <name>` subcommands and the stand-alone scripts. */
const CLIS: Record<string, () => Promise<CliModule>> = {
  ...fromTable('train', trainers),
  ...fromTable('eval', evaluators),
  ...fromTable('bench', benchmarks),
  ...fromTable('simulate', simulators),
  cluster: () => import('../../server/local-cluster/cli.js'),
  'bench/backends-run.ts': () => import('../../bench/backends-run.js'),
  'simulators/tools/fit-gait-profiles.ts': () => import('../../simulators/tools/fit-gait-profiles.js'),
  'simulators/tools/score-synthetic-phones.ts': () => import('../../simulators/tools/score-synthetic-phones.js'),
};

function fromTable(verb: string, table: Record<string, Subcommand>): Record<string, () => Promise<CliModule>> {
  return Object.fromEntries(Object.entries(table).map(([name, sub]) => [`${verb} ${name}`, sub.load]));
}

/** One spelling per concept; the others must not be an option's own name anywhere (aliases may keep them). */
const CONCEPTS: { concept: string; spellings: string[]; not: string[] }[] = [
  { concept: 'input data (folder, file or named corpus)', spellings: ['data'], not: ['corpus', 'dataset', 'data-path', 'input'] },
  { concept: 'batch size', spellings: ['batch-size'], not: ['batch', 'batchsize', 'batch_size', 'bs'] },
  { concept: 'checkpoint folder', spellings: ['checkpoint-dir'], not: ['checkpoint', 'checkpoints', 'ckpt', 'checkpoint-folder'] },
  { concept: 'output folder or file', spellings: ['out'], not: ['output', 'out-dir', 'output-dir'] },
  { concept: 'random seed', spellings: ['seed'], not: ['random-seed', 'rng-seed'] },
  { concept: 'epochs', spellings: ['epochs'], not: ['epoch', 'num-epochs'] },
  { concept: 'untimed warm-up, its unit in the name', spellings: ['warmup-seconds', 'warmup-steps'], not: ['warmup', 'warm-up'] },
  { concept: 'time limit, its unit in the name', spellings: ['timeout-seconds', 'max-seconds'], not: ['timeout', 'timeout-sec', 'timeout-s'] },
  { concept: 'how many simulated clients', spellings: ['phones', 'typists'], not: ['count', 'clients', 'num-phones', 'devices'] },
];

/** The old spellings each trainer still accepts (what its recorded commands and docs used). */
const TRAINER_ALIASES: Record<string, Record<string, string>> = {
  har: { checkpoint: 'checkpoint-dir' },
  lm: { corpus: 'data', batch: 'batch-size' },
  ...Object.fromEntries(['mnist-cnn', 'autoencoder', 'vae', 'vae-2d', 'dcgan', 'cgan'].map((m) => [m, { batch: 'batch-size', checkpoint: 'checkpoint-dir' }])),
};

interface HelpOptions {
  /** Options' own spellings, from the help text. */
  names: string[];
  /** Old spellings -> the option that accepts them. */
  aliases: Map<string, string>;
}

function optionsInHelp(text: string): HelpOptions {
  const names: string[] = [];
  const aliases = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^ {2}--([a-z0-9-]+)\b/.exec(line);
    if (!m || m[1] === 'help') continue;
    names.push(m[1]!);
    const old = /deprecated spellings? ((?:--[a-z0-9-]+(?:, )?)+) still accepted/.exec(line);
    for (const a of old?.[1]!.split(', ') ?? []) aliases.set(a.slice(2), m[1]!);
  }
  return { names, aliases };
}

async function helpOf(mod: CliModule): Promise<string> {
  const err = await mod.main(['--help']).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HelpRequested);
  return (err as HelpRequested).text;
}

const names = Object.keys(CLIS);

describe('every CLI: --help', () => {
  it.each(names)('%s --help prints the text of its declared options', async (name) => {
    const mod = await CLIS[name]!();
    const text = await helpOf(mod);
    expect(text).toBe(helpText(mod.spec));
    const options = optionsInHelp(text);
    expect(options.names.sort()).toEqual(Object.keys(mod.spec.options).sort());
  });

  it('spells each shared concept one way across all commands; old spellings only as aliases of it', async () => {
    const offenders: string[] = [];
    for (const cli of names) {
      const options = optionsInHelp(helpText((await CLIS[cli]!()).spec));
      for (const { concept, spellings, not } of CONCEPTS) {
        for (const wrong of not) {
          if (options.names.includes(wrong)) offenders.push(`${cli}: --${wrong} (${concept}) should be --${spellings.join(' or --')}`);
          const owner = options.aliases.get(wrong);
          if (owner !== undefined && !spellings.includes(owner)) offenders.push(`${cli}: old spelling --${wrong} belongs to --${owner}, not --${spellings.join(' or --')}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('every trainer takes the same run options, and still accepts the spellings it had before', async () => {
    expect(Object.keys(TRAINER_ALIASES).sort()).toEqual(Object.keys(trainers).sort());
    for (const name of Object.keys(trainers)) {
      const { spec } = await trainers[name]!.load();
      const own = Object.keys(spec.options);
      for (const o of ['data', 'epochs', 'seed', 'batch-size', 'out', 'checkpoint-dir', 'resume', 'backend']) expect(own, `train ${name}`).toContain(o);
      expect(optionsInHelp(helpText(spec)).aliases, `train ${name}`).toEqual(new Map(Object.entries(TRAINER_ALIASES[name]!)));
      for (const [old, now] of Object.entries(TRAINER_ALIASES[name]!)) {
        const value = spec.options[now]!.type === 'integer' ? '8' : 'somewhere';
        const base = now === 'data' ? [] : ['--data', 'somewhere'];
        expect(parseOptions(spec, [...base, `--${old}`, value]), `train ${name} --${old}`).toEqual(parseOptions(spec, [...base, `--${now}`, value]));
      }
    }
  });
});

describe('the entry scripts', () => {
  // One real process per dispatcher shape: `npm run <verb> -- <name> --help` and a stand-alone script.
  const tsx = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', ...args], { encoding: 'utf8', timeout: 60_000 });

  it('train.ts lm --help prints the help on stdout and exits 0; a misspelt option exits 2 naming it', async () => {
    const { spec } = await trainers.lm!.load();
    const help = tsx(['models/cli/train.ts', 'lm', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout.trim()).toBe(helpText(spec));
    const bad = tsx(['models/cli/train.ts', 'lm', '--batch-sise', '8']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown option --batch-sise');
  }, 120_000);

  it('server/local-cluster/cli.ts --help answers as a script (it starts nothing when imported)', async () => {
    const { spec } = await import('../../server/local-cluster/cli.js');
    const help = tsx(['server/local-cluster/cli.ts', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout.trim()).toBe(helpText(spec));
  }, 120_000);
});
