// Every committed model's metadata records the training command that made it (LM models a chain of
// `&&`-joined runs). After the option renames (--batch -> --batch-size, --checkpoint ->
// --checkpoint-dir, --corpus -> --data), those commands must still parse, to the same settings as
// before: fixtures/recorded-command-settings.json holds what the parser at commit 87e8a9c (before
// the renames) made of each, keyed by the option spellings of the time.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalOption, parseOptions } from '../../cli/args.js';
import { trainers } from '../../models/cli/registry.js';
import { TRAINED_MODELS_DIR } from '../../models/store/model-store.js';

interface Fixture {
  models: Record<string, { command: string; settings: Record<string, unknown> }[]>;
}

const REPO = resolve(TRAINED_MODELS_DIR, '..', '..');
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'recorded-command-settings.json'), 'utf8')) as Fixture;

/** Splits a recorded command into words (arguments with spaces are recorded JSON-quoted). */
function words(command: string): string[] {
  return [...command.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? (JSON.parse(`"${m[1]}"`) as string) : m[2]!));
}

/** `npm run train -- <model> args…` -> the model and its arguments. */
function trainingRun(command: string): { model: string; argv: string[] } {
  const [npm, run, train, dashes, model, ...argv] = words(command);
  expect([npm, run, train, dashes]).toEqual(['npm', 'run', 'train', '--']);
  return { model: model!, argv };
}

const committed = readdirSync(TRAINED_MODELS_DIR)
  .filter((name) => existsSync(join(TRAINED_MODELS_DIR, name, 'metadata.json')))
  .sort();

describe('committed models: recorded training commands', () => {
  it('the fixture covers every committed model, with the command its metadata records', () => {
    expect(Object.keys(fixture.models).sort()).toEqual(committed);
    for (const name of committed) {
      const metadata = JSON.parse(readFileSync(join(TRAINED_MODELS_DIR, name, 'metadata.json'), 'utf8')) as { command: string };
      expect(fixture.models[name]!.map((r) => r.command).join(' && ')).toBe(metadata.command);
    }
  });

  it.each(committed)('%s: each run of the command parses to the same settings as before the renames', async (name) => {
    for (const recorded of fixture.models[name]!) {
      const { model, argv } = trainingRun(recorded.command);
      const { spec } = await trainers[model]!.load();
      const now: Record<string, unknown> = parseOptions(spec, argv);
      // The old settings under today's option names; the output folder relative to this checkout.
      const before = Object.fromEntries(Object.entries(recorded.settings).map(([k, v]) => [canonicalOption(spec, k) ?? k, typeof v === 'string' ? v.replace(/^<repo>\//, `${REPO}/`) : v]));
      // --backend's default comes from SENSORIUM_BACKEND: compare it only where the command names it.
      if (!argv.some((a) => a.startsWith('--backend'))) {
        delete before.backend;
        delete now.backend;
      }
      const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
      expect(defined(now)).toEqual(before);
    }
  });
});
