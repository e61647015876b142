// The `--personalize SECONDS` part of `npm run eval -- har`: --data holds one subfolder per person;
// each is read with the same reader options as a plain eval, calibrated and scored
// (personalize.ts). Prints a per-person table and the usual report, then the eval JSON with
// zeroShotAccuracy, personalizeSeconds, persons and perPerson.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError, defineOption } from '../../cli/args.js';
import { printResultJson, printTable, roundDeep } from '../../cli/report.js';
import type { Recording } from '../../data/readers/recording.js';
import type { HarClassifier } from './classifier.js';
import { evaluatePersonalized } from './personalize.js';
import { pct, printHarReport } from './report.js';

export const personalizeOption = defineOption({
  type: 'number',
  min: 5,
  max: 3600,
  description:
    'personalised eval: --data holds one subfolder per person; per person, fit a personal head on the first SECONDS s of each label, score the windows that do not overlap them (and the committed model on the same windows)',
});

export interface PersonalizedRun {
  clf: HarClassifier;
  data: string;
  seconds: number;
  /** Reads one person's folder the way eval reads --data (format, units, placement…). */
  read: (dir: string) => Promise<Recording[]>;
  batchSize: number;
  /** Fields every eval JSON carries (model, backend, placement…), put first. */
  header: Record<string, unknown>;
}

export async function runPersonalizedEval(run: PersonalizedRun): Promise<void> {
  const entries = await readdir(run.data, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    throw new CliError(`--data ${run.data}: ${err.code === 'ENOENT' ? 'not found' : err.message}`);
  });
  // Subfolders, also through symbolic links (a folder of links to people's folders is handy).
  const isFolder = async (e: (typeof entries)[number]) => e.isDirectory() || (e.isSymbolicLink() && (await stat(join(run.data, e.name)).catch(() => undefined))?.isDirectory() === true);
  const people = (await Promise.all(entries.map(async (e) => ((await isFolder(e)) ? e.name : undefined)))).filter((n): n is string => n !== undefined).sort();
  if (people.length === 0) throw new CliError(`--personalize needs --data to hold one subfolder per person; ${run.data} has none`);
  const persons: { person: string; recordings: Recording[] }[] = [];
  for (const person of people) {
    const recordings = await run.read(join(run.data, person));
    for (const r of recordings) for (const w of r.warnings ?? []) console.error(`warning: ${person}/${r.id}: ${w}`);
    persons.push({ person, recordings });
  }
  // As plain eval reports it: the placements the windows were classified with.
  const placement = [...new Set(persons.flatMap((p) => p.recordings.map((r) => r.placement ?? 'unknown')))].join('+');
  const result = await evaluatePersonalized(run.clf, persons, run.seconds, { batchSize: run.batchSize, log: (m) => console.error(m) });
  if (result.metrics.n === 0) throw new CliError(`no evaluation window is left after calibrating on ${run.seconds} s per label`);
  console.log(`personalised on the first ${run.seconds} s of each label, ${result.persons} person(s)`);
  printTable(
    ['person', 'windows', 'zero-shot', 'personal', 'kept', 'note'],
    result.perPerson.map((p) => [
      p.person,
      p.n,
      pct(p.zeroShot),
      pct(p.accuracy),
      p.validation ? `${p.validation.kept}${p.validation.kept === 'mixed' ? ` ${p.validation.mixing}` : ''}` : '',
      p.error ?? (p.skipped ? `too little to calibrate: ${p.skipped.join(', ')}` : ''),
    ]),
  );
  console.log('');
  console.log(`zero-shot on the same windows: ${pct(result.zeroShotAccuracy)}`);
  printHarReport(result.metrics);
  const fits = result.perPerson.flatMap((p) => (p.fitMs === undefined ? [] : [p.fitMs]));
  printResultJson(
    roundDeep({
      ...run.header,
      placement,
      ...result.metrics,
      zeroShotAccuracy: result.zeroShotAccuracy,
      zeroShotMacroF1: result.zeroShot.macroF1,
      personalizeSeconds: run.seconds,
      persons: result.persons,
      perPerson: result.perPerson.map((p) => ({
        person: p.person,
        n: p.n,
        zeroShot: p.zeroShot,
        accuracy: p.accuracy,
        ...(p.validation ? { kept: p.validation.kept, mixing: p.validation.mixing, validation: { shared: p.validation.shared, personal: p.validation.personal, windows: p.validation.windows } } : {}),
        ...(p.error ? { error: p.error } : {}),
      })),
      kept: Object.fromEntries((['shared', 'mixed', 'personal'] as const).map((k) => [k, result.perPerson.filter((p) => p.validation?.kept === k).length])),
      meanFitMs: fits.length ? fits.reduce((a, b) => a + b, 0) / fits.length : null,
    }),
  );
}
