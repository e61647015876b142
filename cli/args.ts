// Declarative command-line options: one spec gives parsing, validation and --help text.

export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

type OptionKind = 'string' | 'number' | 'integer' | 'boolean';

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
}

export interface CommandSpec {
  /** e.g. "npm run train -- har" */
  usage: string;
  summary: string;
  options: Record<string, OptionSpec>;
  /** Free text shown after the options. */
  notes?: string;
}

export type ParsedOptions = Record<string, string | number | boolean | undefined>;

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
    return [flag, o.description + (extra.length ? ` (${extra.join(', ')})` : '')];
  });
  rows.push(['--help', 'show this help']);
  const width = Math.max(...rows.map((r) => r[0]!.length));
  const lines = [`Usage: ${spec.usage}`, '', spec.summary, '', 'Options:'];
  for (const [flag, desc] of rows) lines.push(`  ${flag!.padEnd(width)}  ${desc}`);
  if (spec.notes) lines.push('', spec.notes);
  return lines.join('\n');
}

/** Parses `--name value`, `--name=value` and boolean `--flag` / `--no-flag`; rejects anything unknown. */
export function parseOptions(spec: CommandSpec, argv: readonly string[]): ParsedOptions {
  const out: ParsedOptions = {};
  const given = new Set<string>();
  for (const [name, o] of Object.entries(spec.options)) out[name] = o.default;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') throw new HelpRequested(helpText(spec));
    if (!arg.startsWith('--')) throw new CliError(`unexpected argument '${arg}' (see --help)`);
    let [name, value] = splitOnce(arg.slice(2), '=');
    let o = spec.options[name];
    if (!o && name.startsWith('no-') && spec.options[name.slice(3)]?.type === 'boolean') {
      name = name.slice(3);
      o = spec.options[name]!;
      if (value !== undefined) throw new CliError(`--no-${name} takes no value`);
      out[name] = false;
      continue;
    }
    if (!o) throw new CliError(`unknown option --${name} (see --help)`);
    if (o.type === 'boolean') {
      out[name] = value === undefined ? true : parseBoolean(name, value);
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new CliError(`--${name} needs a value`);
    }
    const converted = convert(name, o, value);
    out[name] = o.repeatable && given.has(name) ? `${String(out[name])},${converted}` : converted;
    given.add(name);
  }
  for (const [name, o] of Object.entries(spec.options)) {
    if (o.required && out[name] === undefined) throw new CliError(`--${name} is required (see --help)`);
  }
  return out;
}

function convert(name: string, o: OptionSpec, value: string): string | number {
  if (o.type === 'string') {
    if (o.choices && !o.choices.includes(value)) {
      throw new CliError(`--${name} must be one of ${o.choices.join(', ')} (got '${value}')`);
    }
    return value;
  }
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new CliError(`--${name} must be a number (got '${value}')`);
  if (o.type === 'integer' && !Number.isInteger(n)) throw new CliError(`--${name} must be a whole number (got '${value}')`);
  if (o.min !== undefined && n < o.min) throw new CliError(`--${name} must be at least ${o.min} (got ${n})`);
  if (o.max !== undefined && n > o.max) throw new CliError(`--${name} must be at most ${o.max} (got ${n})`);
  return n;
}

function parseBoolean(name: string, value: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new CliError(`--${name} must be true or false (got '${value}')`);
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}
