// The declarative option parser (cli/args.ts): typed values, bounds, old spellings, unknown
// options, --help text, and the recorded-command filter.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { canonicalOption, CliError, defineCommand, HelpRequested, helpText, parseOptions, withoutOptions } from '../../cli/args.js';

const spec = defineCommand({
  usage: 'tool [options]',
  summary: 'A command for tests.',
  options: {
    data: { type: 'path', required: true, aliases: ['corpus'], description: 'input folder' },
    'batch-size': { type: 'integer', min: 1, max: 1024, default: 64, aliases: ['batch'], description: 'items per step' },
    lr: { type: 'number', min: 0, default: 0.002, description: 'learning rate' },
    limit: { type: 'integer', min: 1, description: 'first N items only' },
    tokens: { type: 'string', choices: ['char', 'word'], default: 'char', description: 'token unit' },
    name: { type: 'string', description: 'a name' },
    url: { type: 'string', repeatable: true, description: 'server URL' },
    resume: { type: 'boolean', default: false, aliases: ['continue'], description: 'go on' },
    quiet: { type: 'boolean', description: 'say less' },
  },
  notes: 'Some notes.',
});

const parse = (...argv: string[]) => parseOptions(spec, argv);
const usageError = (argv: string[]): string => {
  try {
    parseOptions(spec, argv);
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    return (err as Error).message;
  }
  throw new Error(`expected ${argv.join(' ')} to be rejected`);
};

describe('parseOptions', () => {
  it('gives typed values: defaults when absent, undefined for optional options without a default', () => {
    const o = parse('--data', 'in');
    expect(o).toEqual({ data: 'in', 'batch-size': 64, lr: 0.002, limit: undefined, tokens: 'char', name: undefined, url: undefined, resume: false, quiet: undefined });
    expectTypeOf(o.data).toEqualTypeOf<string>();
    expectTypeOf(o['batch-size']).toEqualTypeOf<number>();
    expectTypeOf(o.limit).toEqualTypeOf<number | undefined>();
    expectTypeOf(o.tokens).toEqualTypeOf<'char' | 'word'>();
    expectTypeOf(o.name).toEqualTypeOf<string | undefined>();
    expectTypeOf(o.resume).toEqualTypeOf<boolean>();
    expectTypeOf(o.quiet).toEqualTypeOf<boolean | undefined>();
  });

  it('converts numbers, reads --name=value, booleans, --no-flag and repeated values', () => {
    const o = parse('--data=in', '--batch-size', '32', '--lr=1e-3', '--limit', '5', '--tokens', 'word', '--url', 'ws://a', '--url=ws://b', '--resume', '--no-quiet');
    expect(o).toMatchObject({ data: 'in', 'batch-size': 32, lr: 0.001, limit: 5, tokens: 'word', url: 'ws://a,ws://b', resume: true, quiet: false });
    expect(parse('--data', 'x', '--resume=false').resume).toBe(false);
  });

  it('accepts the old spellings under the option name', () => {
    expect(parse('--corpus', 'in', '--batch', '16', '--continue')).toEqual(parse('--data', 'in', '--batch-size', '16', '--resume'));
    expect(parse('--corpus=in', '--batch=16', '--no-continue')).toMatchObject({ data: 'in', 'batch-size': 16, resume: false });
    // Not a second key: the value lands only under the option's own name.
    expect(Object.keys(parse('--corpus', 'in', '--batch', '8'))).not.toContain('batch');
    // The later spelling wins, as a repeated option does.
    expect(parse('--data', 'a', '--batch', '8', '--batch-size', '9')['batch-size']).toBe(9);
  });

  it('rejects bad values naming the option as typed and the value', () => {
    expect(usageError(['--data', 'x', '--batch-size', 'ten'])).toBe("--batch-size must be a number (got 'ten')");
    expect(usageError(['--data', 'x', '--batch', '1.5'])).toBe("--batch must be a whole number (got '1.5')");
    expect(usageError(['--data', 'x', '--batch-size', '0'])).toBe('--batch-size must be at least 1 (got 0)');
    expect(usageError(['--data', 'x', '--batch-size', '4096'])).toBe('--batch-size must be at most 1024 (got 4096)');
    expect(usageError(['--data', 'x', '--lr', '-1'])).toBe('--lr must be at least 0 (got -1)');
    expect(usageError(['--data', 'x', '--lr', ''])).toBe("--lr must be a number (got '')");
    expect(usageError(['--data', 'x', '--tokens', 'byte'])).toBe("--tokens must be one of char, word (got 'byte')");
    expect(usageError(['--data', ''])).toBe("--data needs a path (got '')");
    expect(usageError(['--data', 'x', '--resume=maybe'])).toBe("--resume must be true or false (got 'maybe')");
    expect(usageError(['--data', 'x', '--batch-size'])).toBe('--batch-size needs a value');
    expect(usageError(['--data', 'x', '--name', '--resume'])).toBe('--name needs a value');
  });

  it('rejects unknown options, stray arguments, --no- on non-booleans and missing required options', () => {
    expect(usageError(['--data', 'x', '--batchsize', '3'])).toBe('unknown option --batchsize (see --help)');
    expect(usageError(['--data', 'x', 'extra'])).toBe("unexpected argument 'extra' (see --help)");
    expect(usageError(['--data', 'x', '--no-lr'])).toBe('unknown option --no-lr (see --help)');
    expect(usageError(['--data', 'x', '--no-resume=1'])).toBe('--no-resume takes no value');
    expect(usageError(['--batch-size', '8'])).toBe('--data is required (see --help)');
  });

  it('throws HelpRequested with the help text for --help and -h (no required option needed, later arguments unread)', () => {
    for (const flag of ['--help', '-h']) {
      try {
        parseOptions(spec, ['--lr', '0.1', flag, '--bogus']);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(HelpRequested);
        expect((err as HelpRequested).text).toBe(helpText(spec));
      }
    }
  });
});

describe('helpText', () => {
  const text = helpText(spec);
  const line = (flag: string) => text.split('\n').find((l) => l.trimStart().startsWith(flag + ' ')) ?? '';

  it('shows usage, summary, every option with its type, default and old spellings, and the notes', () => {
    expect(text.startsWith('Usage: tool [options]\n\nA command for tests.\n\nOptions:\n')).toBe(true);
    expect(line('--data')).toMatch(/--data <path>\s+input folder \(required; deprecated spelling --corpus still accepted\)$/);
    expect(line('--batch-size')).toMatch(/--batch-size <integer>\s+items per step \(default 64; deprecated spelling --batch still accepted\)$/);
    expect(line('--lr')).toMatch(/--lr <number>\s+learning rate \(default 0.002\)$/);
    expect(line('--tokens')).toMatch(/--tokens <char\|word>\s+token unit \(default char\)$/);
    expect(line('--resume')).toMatch(/--resume\s+go on \(deprecated spelling --continue still accepted\)$/);
    expect(line('--help')).toMatch(/--help\s+show this help$/);
    expect(text.endsWith('\n\nSome notes.')).toBe(true);
    // The old spellings are not listed as options of their own.
    expect(line('--batch')).toBe('');
    expect(line('--corpus')).toBe('');
  });
});

describe('defineCommand', () => {
  it('refuses a spelling used twice (an alias that is another option or another alias)', () => {
    const clash = () =>
      defineCommand({
        usage: 'x',
        summary: 'x',
        options: { batch: { type: 'integer', description: 'a' }, 'batch-size': { type: 'integer', aliases: ['batch'], description: 'b' } },
      });
    expect(clash).toThrow('option spelling --batch is used by both --batch and --batch-size');
  });
});

describe('canonicalOption and withoutOptions', () => {
  it('maps any spelling to the option name', () => {
    expect(canonicalOption(spec, 'batch')).toBe('batch-size');
    expect(canonicalOption(spec, 'batch-size')).toBe('batch-size');
    expect(canonicalOption(spec, 'nope')).toBeUndefined();
  });

  it('drops named options under any spelling and form, with their values, keeping the rest in order', () => {
    const argv = ['--corpus', 'in', '--batch', '8', '--resume', '--name=n', '--batch-size=9', '--no-continue', '--lr', '0.1', '--continue=true'];
    expect(withoutOptions(spec, argv, ['batch-size', 'resume'])).toEqual(['--corpus', 'in', '--name=n', '--lr', '0.1']);
    expect(withoutOptions(spec, argv, [])).toEqual(argv);
    // A kept option's value that happens to spell a dropped option's name stays.
    expect(withoutOptions(spec, ['--name', 'resume', '--resume'], ['resume'])).toEqual(['--name', 'resume']);
  });
});
