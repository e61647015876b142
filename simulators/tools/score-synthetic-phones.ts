// How the HAR model sees the synthetic phones, per placement: each of N simulated people does
// every activity their placement can do for a clip, and every window of the clip is classified
// directly (no server, no smoothing), once told the placement (as a phone's hello tells it) and
// once with 'unknown'. Activities the model has no class for (e.g. jogging for a six-class model)
// are left out and listed. A plausibility check of the signal model and the model together, not a
// measure of accuracy on real people. Run:
//   npx tsx simulators/tools/score-synthetic-phones.ts [--phones 12] [--seconds 20] [--model DIR]
import { fileURLToPath } from 'node:url';
import { defineCommand, parseOptions } from '../../cli/args.js';
import { printResultJson, printTable, roundDeep } from '../../cli/report.js';
import { runMain } from '../../cli/subcommands.js';
import { HarClassifier } from '../../models/har/classifier.js';
import { HarScorer, type HarMetrics } from '../../models/har/metrics.js';
import { initBackend } from '../../models/runtime/backend.js';
import type { Placement } from '../../protocol/sensor-messages.js';
import { activitiesOf, SIM_PLACEMENTS, type SimPlacement } from '../activity-profiles.js';
import { SyntheticPhone } from '../synthetic-phone.js';

export const spec = defineCommand({
  usage: 'npx tsx simulators/tools/score-synthetic-phones.ts [--phones N] [--seconds S] [--seed N] [--model DIR]',
  summary: "Classifies synthetic phones' windows with the HAR model, per placement (waist, pocket), told the placement and not.",
  options: {
    phones: { type: 'integer', min: 1, max: 1000, default: 12, description: 'simulated people per placement' },
    seconds: { type: 'number', min: 3, max: 600, default: 20, description: 'clip length per activity and person' },
    seed: { type: 'integer', default: 500, description: 'first phone seed (phones use seed, seed+1, …)' },
    model: { type: 'string', description: 'model folder (default: the committed models/trained/har)' },
  },
  notes: 'The last stdout line is JSON: {"model","classes","phones","seconds","skipped","placements":{"pocket":{"told":{accuracy,macroF1,n,recall,confusion},"unknown":{…}},"waist":{…}}}.',
});

interface Scored {
  accuracy: number;
  macroF1: number;
  n: number;
  recall: Record<string, number>;
  /** confusion[truth][predicted], rows and columns in the model's class order. */
  confusion: number[][];
}

const summarise = (m: HarMetrics): Scored => ({
  accuracy: m.accuracy,
  macroF1: m.macroF1,
  n: m.n,
  recall: Object.fromEntries(
    Object.entries(m.perClass)
      .filter(([, c]) => c.support > 0)
      .map(([c, v]) => [c, v.recall]),
  ),
  confusion: m.confusion,
});

/** Every window of one clip, interleaved for the classifier. */
function clipWindows(phone: SyntheticPhone, samples: number, size: number, hop: number): { windows: Float32Array; n: number } {
  const s = phone.next(samples);
  const n = samples < size ? 0 : Math.floor((samples - size) / hop) + 1;
  const windows = new Float32Array(n * size * 3);
  for (let w = 0; w < n; w++) {
    for (let i = 0; i < size; i++) windows.set([s.x[w * hop + i]!, s.y[w * hop + i]!, s.z[w * hop + i]!], (w * size + i) * 3);
  }
  return { windows, n };
}

export interface PlacementScores {
  told: Scored;
  unknown: Scored;
}

/** Scores `phones` simulated people per placement, `seconds` per activity, seeds from `seed`. */
export function scoreSyntheticPhones(model: HarClassifier, opts: { phones: number; seconds: number; seed: number }): { placements: Record<SimPlacement, PlacementScores>; skipped: string[] } {
  const samples = Math.round(opts.seconds * model.rateHz);
  const skipped = new Set<string>();
  const placements = {} as Record<SimPlacement, PlacementScores>;
  for (const placement of SIM_PLACEMENTS) {
    const told = new HarScorer(model.classes);
    const unknown = new HarScorer(model.classes);
    for (const activity of activitiesOf(placement)) {
      if (!model.classes.includes(activity)) {
        skipped.add(activity);
        continue;
      }
      for (let p = 0; p < opts.phones; p++) {
        const phone = new SyntheticPhone({ seed: opts.seed + p, placement, rateHz: model.rateHz, script: [{ activity, seconds: opts.seconds }], loop: false });
        const { windows, n } = clipWindows(phone, samples, model.windowSize, model.hop);
        for (const [scorer, as] of [
          [told, placement],
          [unknown, 'unknown'],
        ] as [HarScorer, Placement][]) {
          const probs = model.predict(windows, n, as);
          const k = model.classes.length;
          for (let w = 0; w < n; w++) {
            const row = probs.subarray(w * k, w * k + k);
            scorer.add(activity, row.indexOf(Math.max(...row)));
          }
        }
      }
    }
    placements[placement] = { told: summarise(told.result()), unknown: summarise(unknown.result()) };
  }
  return { placements, skipped: [...skipped] };
}

export async function main(argv: string[]): Promise<void> {
  const o = parseOptions(spec, argv);
  await initBackend('wasm', (m) => console.error(m));
  const model = await HarClassifier.load(o.model === undefined ? undefined : o.model);
  try {
    const phones = o.phones;
    const { placements, skipped } = scoreSyntheticPhones(model, { phones, seconds: o.seconds, seed: o.seed });
    for (const [p, r] of Object.entries(placements)) console.error(`score: ${p}: accuracy ${r.told.accuracy.toFixed(3)} told, ${r.unknown.accuracy.toFixed(3)} unknown`);
    const rows = Object.entries(placements).flatMap(([p, r]) => [
      [
        `${p} (told)`,
        r.told.accuracy.toFixed(3),
        r.told.macroF1.toFixed(3),
        r.told.n,
        Object.entries(r.told.recall)
          .map(([c, v]) => `${c} ${v.toFixed(2)}`)
          .join(', '),
      ],
      [
        `${p} (unknown)`,
        r.unknown.accuracy.toFixed(3),
        r.unknown.macroF1.toFixed(3),
        r.unknown.n,
        Object.entries(r.unknown.recall)
          .map(([c, v]) => `${c} ${v.toFixed(2)}`)
          .join(', '),
      ],
    ]);
    printTable(['placement', 'accuracy', 'macro-F1', 'windows', 'recall per class'], rows);
    printResultJson(roundDeep({ model: model.metadata?.name ?? 'har', classes: model.classes, phones, seconds: o.seconds, skipped, placements }, 4));
  } finally {
    model.dispose();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await runMain('score-synthetic-phones', () => main(process.argv.slice(2)));
