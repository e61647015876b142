// `npm run eval -- har --format hapt|csv|wisdm2019|mobifall --data PATH [--placement P]`: scores the
// activity model on labelled recordings. Prints per-class precision/recall/F1 and the confusion matrix, then one JSON line.
import { relative, resolve } from 'node:path';
import { defineCommand, CliError, parseOptions } from '../../cli/args.js';
import { backendOption, useBackend } from '../../cli/backend-option.js';
import { backendReport } from '../runtime/backend.js';
import { ProgressBar } from '../../cli/progress.js';
import { printResultJson, roundDeep } from '../../cli/report.js';
import { FORMATS_WITH_USERS, readRecordings, RECORDING_FORMATS, type Recording, type RecordingFormat } from '../../data/readers/index.js';
import { PLACEMENTS, type Placement } from '../../protocol/sensor-messages.js';
import { ACCEL_UNITS, parseUnits } from '../../data/signal/units.js';
import { modelDir } from '../store/model-store.js';
import { HarClassifier, HAR_MODEL_NAME } from './classifier.js';
import { evalWindows, predictClasses, robustnessVariant, ROBUSTNESS_VARIANTS, VARIANT_DESCRIPTIONS, type RobustnessVariant } from './evaluate.js';
import { scoreWindows } from './metrics.js';
import { printHarReport } from './report.js';
import { parseUserList } from './cli-common.js';
import { personalizeOption, runPersonalizedEval } from './personalize-cli.js';

export const spec = defineCommand({
  usage: `npm run eval -- har --format ${RECORDING_FORMATS.join('|')} --data <path> [options]`,
  summary: 'Evaluate the activity-recognition model on labelled recordings.',
  options: {
    format: {
      type: 'string',
      required: true,
      choices: RECORDING_FORMATS,
      description:
        "hapt: a folder laid out like HAPT RawData; csv: a file or folder of timestamp_ms,x,y,z,label files; recording: the server's own recordings (npm start -- --record); wisdm2019, mobifall: those data sets' native (gzip) files; sensor-logger, phyphox: those apps' CSV exports (a file, or a folder of exports)",
    },
    data: { type: 'path', required: true, description: 'the recordings (folder or file)' },
    units: { type: 'string', choices: ACCEL_UNITS, description: 'units of csv values (default g)' },
    model: { type: 'path', default: relative(process.cwd(), modelDir(HAR_MODEL_NAME)), description: 'model folder' },
    users: { type: 'string', description: `${FORMATS_WITH_USERS.join(', ')}: comma-separated subject ids to evaluate (e.g. the held-out people)` },
    placement: {
      type: 'string',
      choices: PLACEMENTS,
      description: "where the phones were carried, as a device's hello would say (default: the data set's own: hapt waist, wisdm2019/mobifall pocket; csv and recordings unknown)",
    },
    variant: {
      type: 'string',
      default: 'original',
      choices: ROBUSTNESS_VARIANTS,
      description: 'evaluate a simulated device instead: 20 Hz, negated axes (iOS), the m/s² csv round trip, or tilted 30°',
    },
    'batch-size': { type: 'integer', default: 512, min: 1, description: 'windows per prediction call' },
    personalize: personalizeOption,
    backend: backendOption,
  },
  notes: [
    'Windows: 128 samples with hop 64 at 50 Hz after resampling, each wholly inside one labelled run of a class',
    "(csv labels: a class name, 'stairs' = either stairs class, anything else ignored). The last stdout line is JSON:",
    '{"model","backend","placement","n","accuracy","macroF1","classes","perClass":{name:{precision,recall,f1,support}},"confusion"}.',
  ].join('\n'),
});

export async function main(argv: string[]): Promise<void> {
  const o = parseOptions(spec, argv);
  const format: RecordingFormat = o.format;
  const units = o.units === undefined ? undefined : parseUnits(o.units);
  const users = o.users === undefined ? undefined : parseUserList(o.users);
  if (format !== 'csv' && units && !(format === 'hapt' && units === 'g')) throw new CliError(`--units applies to csv only (${format} data says its units itself)`);
  if (users && !FORMATS_WITH_USERS.includes(format)) throw new CliError(`--users applies to ${FORMATS_WITH_USERS.join(', ')} only (${format} files carry no subject ids)`);
  // The told placement replaces what the recordings say, before anything reads them.
  const placement: Placement | undefined = o.placement;
  const place = (recs: Recording[]): Recording[] => (placement ? recs.map((r) => ({ ...r, placement })) : recs);
  const read = async (path: string) => {
    try {
      return place(await readRecordings(format, path, { units: format === 'csv' ? units : undefined, users }));
    } catch (err) {
      throw err instanceof CliError ? err : new CliError((err as Error).message);
    }
  };
  const variant: RobustnessVariant = o.variant;

  const backend = await useBackend(o.backend);
  const modelPath = resolve(o.model);
  const clf = await HarClassifier.load(modelPath);
  try {
    if (o.personalize !== undefined) {
      if (variant !== 'original') throw new CliError('--personalize takes the recordings as read (no --variant)');
      return await runPersonalizedEval({ clf, data: o.data, seconds: o.personalize, read, batchSize: o['batch-size'], header: { model: o.model, ...backendReport(backend) } });
    }
    const recs = await robustnessVariant(await read(o.data), variant);
    for (const r of recs) for (const w of r.warnings ?? []) console.error(`warning: ${r.id}: ${w}`);
    const set = evalWindows(recs, clf);
    if (set.n === 0) throw new CliError(`no evaluation windows: no labelled run of a class is ${clf.windowSize} samples (${(clf.windowSize / clf.rateHz).toFixed(2)} s) long`);
    console.error(`${recs.length} recording(s), ${set.n} windows${variant !== 'original' ? `, variant ${variant}: ${VARIANT_DESCRIPTIONS[variant]}` : ''}`);
    const bar = new ProgressBar({ total: set.n, label: 'predicting', unit: 'windows' });
    const predicted = await predictClasses(clf, set, { batchSize: o['batch-size'], onBatch: (m) => bar.tick(m) });
    const metrics = scoreWindows(clf.classes, set.truths, predicted);
    const told = [...new Set(set.placements.map((p) => p ?? 'unknown'))].join('+');
    console.log(`model ${o.model}  data ${o.data} (${format}, placement ${told})${variant !== 'original' ? `  variant ${variant}` : ''}`);
    printHarReport(metrics);
    printResultJson(roundDeep({ model: o.model, ...backendReport(backend), placement: told, ...metrics, ...(variant !== 'original' ? { variant } : {}) }));
  } finally {
    clf.dispose();
  }
}
