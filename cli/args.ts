// Declarative command-line options: each option is declared once (type, bounds, default, older
// spellings, description); that one declaration gives the parser, the validation, the --help text
// and the TypeScript type of the parsed values, so CLIs read `o.epochs` as a number without casts.

export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** `path` is a string that must not be empty (shown as <path> in --help); it is not resolved. */
type OptionKind = 'string' | 'path' | 'number' | 'integer' | 'boolean';

export interface OptionSpec {
  type: OptionKind;
  description: string;
  default?: string | number | boolean;
  /** Allowed values for string options. */
  choices?: readonly string[];
  min?: number;
  max?: number;
  required?: boolean;
  /** String options only: may be given more than once; the values are joined with commas. */
  repeatable?: boolean;
  /** Older spellings, still accepted (--help lists them as deprecated); the value lands under the option's own name. */
  aliases?: readonly string[];
}

export type OptionSpecs = Record<string, OptionSpec>;

export interface CommandSpec<O extends OptionSpecs = OptionSpecs> {
  /** e.g. "npm run train -- har" */
  usage: string;
  summary: string;
  options: O;
  /** Free text shown after the options. */
  notes?: string;
}

type KindValue<K extends OptionKind> = K extends 'boolean' ? boolean : K extends 'number' | 'integer' ? number : string;

/** What one option parses to: a number, a boolean, a string, or the union of its choices. */
export type OptionValue<S extends OptionSpec> = S extends { choices: readonly (infer C extends string)[] } ? C : KindValue<S['type']>;

/** An option always has a value when it is required or has a default; otherwise it may be undefined. */
type AlwaysSet<S extends OptionSpec> = S extends { required: true } ? true : S extends { default: string | number | boolean } ? true : false;

/** The parsed options of a command, keyed by the options' (canonical) names. */
export type OptionValues<O extends OptionSpecs> = {
  -readonly [K in keyof O]: AlwaysSet<O[K]> extends true ? OptionValue<O[K]> : OptionValue<O[K]> | undefined;
};

/** Parsed options when the spec's types are not known statically. */
export type ParsedOptions = OptionValues<OptionSpecs>;

/** Declares a command; keeps the literal types of its options so that parseOptions returns them typed. */
export function defineCommand<const O extends OptionSpecs>(spec: CommandSpec<O>): CommandSpec<O> {
  spellingTable(spec.options); // a clash of names is a programming error: fail at load, not at first use
  return spec;
}

/** Declares one option outside a command (shared options), keeping its literal types. */
export function defineOption<const S extends OptionSpec>(option: S): S {
  return option;
}

/** Thrown when the user asked for --help; the caller prints `text` and exits 0. */
export class HelpRequested extends Error {
  constructor(readonly text: string) {
    super('help requested');
  }
}

export function helpText(spec: CommandSpec): string {
  const rows = Object.entries(spec.options).map(([name, o]) => {
    const flag = o.type === 'boolean' ? `--${name}` : `--${name} <${o.choices ? o.choices.join('|') : o.type}>`;
    const extra: string[] = [];
    if (o.required) extra.push('required');
    if (o.default !== undefined && o.type !== 'boolean') extra.push(`default ${o.default}`);
    if (o.aliases?.length) extra.push(`deprecated spelling ${o.aliases.map((a) => `--${a}`).join(', ')} still accepted`);
    return [flag, o.description + (extra.length ? ` (${extra.join('; ')})` : '')];
  });
  rows.push(['--help', 'show this help']);
  const width = Math.max(...rows.map((r) => r[0]!.length));
  const lines = [`Usage: ${spec.usage}`, '', spec.summary, '', 'Options:'];
  for (const [flag, desc] of rows) lines.push(`  ${flag!.padEnd(width)}  ${desc}`);
  if (spec.notes) lines.push('', spec.notes);
  return lines.join('\n');
}

/** Every accepted spelling (names and aliases) -> the option's name. */
function spellingTable(options: OptionSpecs): Map<string, string> {
  const table = new Map<string, string>();
  for (const [name, o] of Object.entries(options)) {
    for (const spelling of [name, ...(o.aliases ?? [])]) {
      const taken = table.get(spelling);
      if (taken !== undefined) throw new Error(`option spelling --${spelling} is used by both --${taken} and --${name}`);
      table.set(spelling, name);
    }
  }
  return table;
}

/** The option a spelling (name or old alias, without dashes) stands for, or undefined. */
export function canonicalOption(spec: CommandSpec, spelling: string): string | undefined {
  return spellingTable(spec.options).get(spelling);
}

/**
 * Parses `--name value`, `--name=value` and boolean `--flag` / `--no-flag`, under an option's name
 * or any of its aliases; rejects anything unknown. The result is keyed by the options' names.
 */
export function parseOptions<O extends OptionSpecs>(spec: CommandSpec<O>, argv: readonly string[]): OptionValues<O> {
  const spellings = spellingTable(spec.options);
  const out: Record<string, string | number | boolean | undefined> = {};
  const given = new Set<string>();
  for (const [name, o] of Object.entries(spec.options)) out[name] = o.default;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') throw new HelpRequested(helpText(spec));
    if (!arg.startsWith('--')) throw new CliError(`unexpected argument '${arg}' (see --help)`);
    const [spelling, inlineValue] = splitOnce(arg.slice(2), '=');
    let name = spellings.get(spelling);
    if (name === undefined && spelling.startsWith('no-')) {
      name = spellings.get(spelling.slice(3));
      if (name === undefined || spec.options[name]!.type !== 'boolean') throw new CliError(`unknown option --${spelling} (see --help)`);
      if (inlineValue !== undefined) throw new CliError(`--${spelling} takes no value`);
      out[name] = false;
      continue;
    }
    if (name === undefined) throw new CliError(`unknown option --${spelling} (see --help)`);
    const o = spec.options[name]!;
    if (o.type === 'boolean') {
      out[name] = inlineValue === undefined ? true : parseBoolean(spelling, inlineValue);
      continue;
    }
    let value = inlineValue;
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new CliError(`--${spelling} needs a value`);
    }
    const converted = convert(spelling, o, value);
    out[name] = o.repeatable && given.has(name) ? `${String(out[name])},${converted}` : converted;
    given.add(name);
  }
  for (const [name, o] of Object.entries(spec.options)) {
    if (o.required && out[name] === undefined) throw new CliError(`--${name} is required (see --help)`);
  }
  return out as OptionValues<O>;
}

/**
 * `argv` without the named options (under any spelling, with their values): what a recorded
 * command leaves out, e.g. where files go (--out, --checkpoint-dir) or --resume.
 */
export function withoutOptions(spec: CommandSpec, argv: readonly string[], names: readonly string[]): string[] {
  const spellings = spellingTable(spec.options);
  const drop = new Set(names);
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [spelling, inlineValue] = splitOnce(arg.replace(/^--/, ''), '=');
    const name = arg.startsWith('--') ? (spellings.get(spelling) ?? (spelling.startsWith('no-') ? spellings.get(spelling.slice(3)) : undefined)) : undefined;
    if (name === undefined || !drop.has(name)) {
      kept.push(arg);
      continue;
    }
    const takesValue = spec.options[name]!.type !== 'boolean' && inlineValue === undefined;
    if (takesValue) i++;
  }
  return kept;
}

function convert(spelling: string, o: OptionSpec, value: string): string | number {
  if (o.type === 'string' || o.type === 'path') {
    if (o.type === 'path' && value === '') throw new CliError(`--${spelling} needs a path (got '')`);
    if (o.choices && !o.choices.includes(value)) {
      throw new CliError(`--${spelling} must be one of ${o.choices.join(', ')} (got '${value}')`);
    }
    return value;
  }
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new CliError(`--${spelling} must be a number (got '${value}')`);
  if (o.type === 'integer' && !Number.isInteger(n)) throw new CliError(`--${spelling} must be a whole number (got '${value}')`);
  if (o.min !== undefined && n < o.min) throw new CliError(`--${spelling} must be at least ${o.min} (got ${n})`);
  if (o.max !== undefined && n > o.max) throw new CliError(`--${spelling} must be at most ${o.max} (got ${n})`);
  return n;
}

function parseBoolean(spelling: string, value: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new CliError(`--${spelling} must be true or false (got '${value}')`);
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}
