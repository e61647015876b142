// `npm run eval -- har --format hapt|csv --data PATH`: scores the activity model on labelled
// recordings. Prints per-class precision/recall/F1 and the confusion matrix, then one JSON line.
import { relative, resolve } from 'node:path';
import { CliError, parseOptions, type CommandSpec } from '../../cli/args.js';
import { backendOption, useBackend } from '../../cli/backend-option.js';
import { ProgressBar } from '../../cli/progress.js';
import { printResultJson, roundDeep } from '../../cli/report.js';
import { readRecordings, RECORDING_FORMATS, type RecordingFormat } from '../../data/readers/index.js';
import { ACCEL_UNITS, parseUnits } from '../../data/signal/units.js';
import { modelDir } from '../store/model-store.js';
import { HarClassifier, HAR_MODEL_NAME } from './classifier.js';
import { evalWindows, predictClasses, robustnessVariant, ROBUSTNESS_VARIANTS, VARIANT_DESCRIPTIONS, type RobustnessVariant } from './evaluate.js';
import { scoreWindows } from './metrics.js';
import { printHarReport } from './report.js';
import { parseUserList } from './cli-common.js';
import { personalizeOption, runPersonalizedEval } from './personalize-cli.js';

export const evalSpec: CommandSpec = {
  usage: 'npm run eval -- har --format hapt|csv --data <path> [options]',
  summary: 'Evaluate the activity-recognition model on labelled recordings.',
  options: {
    format: { type: 'string', required: true, choices: RECORDING_FORMATS, description: 'hapt: a folder laid out like HAPT RawData; csv: a file or folder of timestamp_ms,x,y,z,label files; recording: the server\'s own recordings (npm start -- --record)' },
    data: { type: 'string', required: true, description: 'the recordings (folder or file)' },
    units: { type: 'string', choices: ACCEL_UNITS, description: 'units of csv values (default g)' },
    model: { type: 'string', default: relative(process.cwd(), modelDir(HAR_MODEL_NAME)), description: 'model folder' },
    users: { type: 'string', description: 'hapt only: comma-separated subject ids to evaluate (e.g. the held-out users)' },
    variant: { type: 'string', default: 'original', choices: ROBUSTNESS_VARIANTS, description: 'evaluate a simulated device instead: 20 Hz, negated axes (iOS), the m/s² csv round trip, or tilted 30°' },
    'batch-size': { type: 'integer', default: 512, min: 1, description: 'windows per prediction call' },
    personalize: personalizeOption,
    backend: backendOption,
  },
  notes: [
    'Windows: 128 samples with hop 64 at 50 Hz after resampling, each wholly inside one labelled run of a class',
    "(csv labels: a class name, 'stairs' = either stairs class, anything else ignored). The last stdout line is JSON:",
    '{"model","n","accuracy","macroF1","classes","perClass":{name:{precision,recall,f1,support}},"confusion"}.',
  ].join('\n'),
};

export async function main(argv: string[]): Promise<void> {
  const o = parseOptions(evalSpec, argv);
  const format = String(o.format) as RecordingFormat;
  const units = o.units === undefined ? undefined : parseUnits(String(o.units));
  const users = o.users === undefined ? undefined : parseUserList(String(o.users));
  if (format !== 'csv' && units && !(format === 'hapt' && units === 'g')) throw new CliError(`--units applies to csv only (${format} data says its units itself)`);
  if (format === 'csv' && users) throw new CliError('--users applies to hapt only (csv files carry no subject ids)');
  const variant = String(o.variant) as RobustnessVariant;

  const backend = await useBackend(o.backend);
  const modelPath = resolve(String(o.model));
  const clf = await HarClassifier.load(modelPath);
  try {
    if (o.personalize !== undefined) {
      if (variant !== 'original') throw new CliError('--personalize takes the recordings as read (no --variant)');
      const read = (dir: string) => readRecordings(format, dir, { units: format === 'csv' ? units : undefined, users });
      return await runPersonalizedEval({ clf, data: String(o.data), seconds: Number(o.personalize), read, batchSize: Number(o['batch-size']), header: { model: String(o.model), backend: backend.name } });
    }
    const recs = await robustnessVariant(await readRecordings(format, String(o.data), { units: format === 'csv' ? units : undefined, users }), variant);
    for (const r of recs) for (const w of r.warnings ?? []) console.error(`warning: ${r.id}: ${w}`);
    const set = evalWindows(recs, clf);
    if (set.n === 0) throw new CliError(`no evaluation windows: no labelled run of a class is ${clf.windowSize} samples (${(clf.windowSize / clf.rateHz).toFixed(2)} s) long`);
    console.error(`${recs.length} recording(s), ${set.n} windows${variant !== 'original' ? `, variant ${variant}: ${VARIANT_DESCRIPTIONS[variant]}` : ''}`);
    const bar = new ProgressBar({ total: set.n, label: 'predicting', unit: 'windows' });
    const predicted = predictClasses(clf, set, { batchSize: Number(o['batch-size']), onBatch: (m) => bar.tick(m) });
    const metrics = scoreWindows(clf.classes, set.truths, predicted);
    console.log(`model ${String(o.model)}  data ${String(o.data)} (${format})${variant !== 'original' ? `  variant ${variant}` : ''}`);
    printHarReport(metrics);
    printResultJson(roundDeep({ model: String(o.model), ...metrics, ...(variant !== 'original' ? { variant } : {}) }));
  } finally {
    clf.dispose();
  }
}
