// One backend's figures for `npm run bench -- backends` (bench/backends.ts runs this file once per
// backend, each in its own process: tfjs selects a backend once per process). Last stdout line:
// JSON, or {available: false, reason} when the backend does not load here.
import * as tf from '@tensorflow/tfjs';
import { defineCommand, CliError, parseOptions } from '../cli/args.js';
import { printResultJson } from '../cli/report.js';
import { HarClassifier } from '../models/har/classifier.js';
import { HAR_WINDOW } from '../models/har/model.js';
import { buildLanguageModel } from '../models/lm/model.js';
import { LstmStepper } from '../models/lm/lstm-step.js';
import { BATCHING_DEFAULTS } from '../models/runtime/batching-defaults.js';
import { BACKEND_CHOICES, BackendUnavailableError, initBackend, type BackendName } from '../models/runtime/backend.js';
import { HarInference } from '../server/inference/har-inference.js';
import { loadHarModel } from '../server/inference/load-har-model.js';
import { harBench, mnistBench, type TrainableBench } from './train-models.js';

export const INFERENCE_BATCHES = [1, 16, 64, 256] as const;

export const spec = defineCommand({
  usage: 'tsx bench/backends-run.ts --backend <name> [--seconds S]',
  summary: 'One backend of `npm run bench -- backends` (run by it, one process per backend).',
  options: {
    backend: { type: 'string', required: true, choices: BACKEND_CHOICES.filter((b) => b !== 'auto'), description: 'the backend to measure' },
    seconds: { type: 'number', default: 3, description: 'timed seconds per figure (after one untimed warm-up call)' },
    sessions: { type: 'number', default: 64, description: 'devices in the served comparison and LSTM sessions per step' },
    'min-calls': { type: 'number', default: 2, description: 'timed calls per figure at least' },
  },
});

let minCalls = 2;

/** Calls `f` for about `seconds` (at least minCalls times) after one warm-up call; returns calls per second. */
async function rate(seconds: number, f: () => Promise<unknown>): Promise<{ perSec: number; calls: number }> {
  await f();
  const t0 = performance.now();
  let calls = 0;
  while (calls < minCalls || performance.now() - t0 < seconds * 1000) {
    await f();
    calls++;
  }
  return { perSec: (calls * 1000) / (performance.now() - t0), calls };
}

const round = (v: number) => Math.round(v * 100) / 100;

/** Windows per second of the bare model at each batch size, read with data() (what the server does). */
async function inference(seconds: number): Promise<Record<string, number>> {
  const clf = HarClassifier.untrained(1);
  const out: Record<string, number> = {};
  for (const batch of INFERENCE_BATCHES) {
    const windows = Float32Array.from({ length: batch * HAR_WINDOW * 3 }, (_, i) => Math.sin(i * 0.01));
    const { perSec } = await rate(seconds, () => clf.predictAsync(windows, batch));
    out[`batch${batch}`] = round(perSec * batch);
    console.error(`  HAR inference, batch ${batch}: ${round(perSec * batch)} windows/s`);
  }
  clf.dispose();
  return out;
}

/**
 * The served path: `sessions` devices, each sending its next window as soon as the last one's
 * prediction came back, through the server's HarInference (dynamic batcher + the served
 * classifier); batched with the backend's defaults vs one window per model call.
 */
async function served(
  backend: BackendName,
  sessions: number,
  seconds: number,
): Promise<{ batched: number; unbatched: number; ratio: number; meanBatch: number; maxBatch: number; maxDelayMs: number }> {
  const loaded = await loadHarModel('untrained');
  const defaults = BATCHING_DEFAULTS[backend];
  const run = async (maxBatch: number, maxDelayMs: number) => {
    const inf = new HarInference(loaded.classifier, { maxBatch, maxDelayMs, maxQueue: Math.max(256, sessions * 2) });
    const window = Float32Array.from({ length: HAR_WINDOW * 3 }, (_, i) => Math.cos(i * 0.02));
    const device = async (id: string, until: number) => {
      let n = 0;
      while (performance.now() < until) {
        await inf.classify(window, id);
        n++;
      }
      return n;
    };
    await Promise.all(Array.from({ length: sessions }, (_, i) => device(`d${i}`, performance.now() + 200))); // warm-up
    const t0 = performance.now();
    const counts = await Promise.all(Array.from({ length: sessions }, (_, i) => device(`d${i}`, t0 + seconds * 1000)));
    const windowsPerSec = (counts.reduce((a, b) => a + b, 0) * 1000) / (performance.now() - t0);
    const meanBatch = inf.stats().meanBatch;
    await inf.close();
    return { windowsPerSec, meanBatch };
  };
  const batched = await run(defaults.maxBatch, defaults.maxDelayMs);
  const unbatched = await run(1, 0);
  await loaded.classifier.dispose();
  console.error(`  served, ${sessions} devices: batched ${round(batched.windowsPerSec)} windows/s (mean batch ${round(batched.meanBatch)}), unbatched ${round(unbatched.windowsPerSec)}`);
  return {
    batched: round(batched.windowsPerSec),
    unbatched: round(unbatched.windowsPerSec),
    ratio: round(batched.windowsPerSec / unbatched.windowsPerSec),
    meanBatch: round(batched.meanBatch),
    ...defaults,
  };
}

async function training(name: string, make: (batch: number) => TrainableBench, batch: number, seconds: number): Promise<number> {
  const b = make(batch);
  try {
    const { perSec } = await rate(seconds, () => b.step());
    console.error(`  ${name} training, batch ${batch}: ${round(perSec * b.samplesPerStep)} samples/s`);
    return round(perSec * b.samplesPerStep);
  } finally {
    b.dispose();
  }
}

/** One incremental step of `sessions` LSTM sessions at once (the text server's batched step). */
async function lstmStep(sessions: number, seconds: number): Promise<{ stepsPerSec: number; sessionStepsPerSec: number }> {
  const model = buildLanguageModel({ vocabSize: 66, embedDim: 64, units: [256], projection: 0, dropout: 0 }, 1);
  const stepper = LstmStepper.fromModel(model);
  model.dispose();
  const tokens = Array.from({ length: sessions }, (_, i) => i % 66);
  let states: Float32Array = new Float32Array(sessions * stepper.stateSize);
  const { perSec } = await rate(seconds, async () => {
    states = (await stepper.step(tokens, states)).states;
  });
  stepper.dispose();
  console.error(`  LSTM step, ${sessions} sessions: ${round(perSec)} steps/s`);
  return { stepsPerSec: round(perSec), sessionStepsPerSec: round(perSec * sessions) };
}

export async function main(argv: string[]): Promise<void> {
  const o = parseOptions(spec, argv);
  const name = o.backend;
  const seconds = o.seconds;
  const sessions = o.sessions;
  minCalls = Math.max(1, o['min-calls']);
  if (!(seconds > 0) || !(sessions >= 1)) throw new CliError('--seconds and --sessions must be positive');
  let info;
  try {
    info = await initBackend(name, (m) => console.error(m));
  } catch (err) {
    if (!(err instanceof BackendUnavailableError)) throw err;
    printResultJson({ backend: name, available: false, reason: err.message });
    return;
  }
  const tensorsAtStart = tf.memory().numTensors;
  const result = {
    backend: name,
    available: true,
    ...(info.adapter ? { adapter: info.adapter } : {}),
    ...(info.features ? { features: info.features } : {}),
    inferenceWindowsPerSec: await inference(seconds),
    served: await served(name, sessions, seconds),
    trainingSamplesPerSec: { har: await training('HAR', harBench, 32, seconds), mnist: await training('MNIST CNN', mnistBench, 32, seconds) },
    lstmStep: { sessions, ...(await lstmStep(sessions, seconds)) },
    leakedTensors: tf.memory().numTensors - tensorsAtStart,
  };
  printResultJson(result);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    () => process.exit(0), // a Dawn device keeps no handle open, but other backends' pools may
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
