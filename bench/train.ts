// `npm run bench -- train`: training throughput (samples/s at batch 32) of the reference models
// in bench/train-models.ts. The HAR CNN runs on wasm and on pure-JS cpu (a couple of steps: cpu
// takes seconds per step), which gives the wasm/cpu ratio; the LSTM LM, MNIST CNN, conv VAE and
// DCGAN run on wasm (and on cpu too with --cpu-all, which takes minutes).
import * as tf from '@tensorflow/tfjs';
import * as os from 'node:os';
import { defineCommand, CliError, parseOptions } from '../cli/args.js';
import { printResultJson, printTable, roundDeep } from '../cli/report.js';
import { initBackend } from '../models/runtime/backend.js';
import { trainingBackendOptions } from '../cli/backend-option.js';
import { BENCH_FACTORIES, MODEL_NAMES, type ModelName } from './train-models.js';

export interface TrainBenchOptions {
  /** Timed seconds per model on wasm (after the warm-up). */
  seconds?: number;
  batchSize?: number;
  /** Untimed steps before timing (operator creation, optimiser slots, first-use costs). */
  warmupSteps?: number;
  /** Timed steps per model on cpu; 0 skips cpu. */
  cpuSteps?: number;
  /** Also time the models other than HAR on cpu. */
  cpuAll?: boolean;
  models?: readonly ModelName[];
  /** Progress lines (stderr in the CLI). */
  log?: (msg: string) => void;
}

export interface Throughput {
  /** Wall-clock throughput: the headline figure. */
  samplesPerSec: number;
  msPerStep: number;
  steps: number;
  /**
   * Samples per second of this process's CPU time (user + system, all threads). On a shared
   * machine it is far less diluted by other work than the wall-clock figure (contention still
   * slows each CPU-second somewhat): it helps tell load from a regression. With WASM threads it
   * also shows what the second core costs (threads trade CPU-seconds for wall-clock time).
   */
  samplesPerCpuSec: number;
}

export type OtherModel = Exclude<ModelName, 'har'>;

export interface TrainBenchResult {
  benchmark: 'train';
  batchSize: number;
  /** HAR CNN per backend. */
  backends: { wasm?: Throughput; cpu?: Throughput };
  /** wasm / cpu samples/s for the HAR CNN (null without both). */
  ratio: number | null;
  /** The other models on wasm; `cpu` and `ratio` when they were timed on cpu too. */
  models: Partial<Record<OtherModel, Throughput & { cpu?: Throughput; ratio?: number }>>;
  /** WASM build: SIMD, and how many threads (1 = the single-threaded build). */
  wasm: { simd: boolean; threads: number } | null;
  /** 1-minute load average at the start and end: context for the wall-clock figures. */
  loadAverage: [start: number, end: number];
}

async function timeModel(name: ModelName, backend: 'wasm' | 'cpu', o: Required<Omit<TrainBenchOptions, 'models' | 'cpuAll'>>, fixedSteps?: number): Promise<Throughput> {
  // Models are built on wasm even for a cpu run: weight initialisation (the LSTM's orthogonal
  // initializer above all) is far slower on cpu, and the engine moves the weights on first use.
  await tf.setBackend('wasm');
  const bench = BENCH_FACTORIES[name](o.batchSize);
  try {
    await tf.setBackend(backend);
    for (let i = 0; i < o.warmupSteps; i++) await bench.step();
    let steps = 0;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const done = () => (fixedSteps !== undefined ? steps >= fixedSteps : steps >= 2 && performance.now() - start >= o.seconds * 1000);
    while (!done()) {
      await bench.step();
      steps++;
    }
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const samples = steps * bench.samplesPerStep;
    const result = { samplesPerSec: samples / seconds, msPerStep: (seconds * 1000) / steps, steps, samplesPerCpuSec: samples / cpuSeconds };
    o.log(
      `${backend.padEnd(4)} ${name.padEnd(8)} ${result.samplesPerSec.toFixed(1)} samples/s (${steps} steps, ${result.msPerStep.toFixed(1)} ms/step; ${result.samplesPerCpuSec.toFixed(1)} per CPU-second)`,
    );
    return result;
  } finally {
    bench.dispose();
  }
}

/** Measures training throughput; see TrainBenchOptions for the knobs. */
export async function trainBenchmark(opts: TrainBenchOptions = {}): Promise<TrainBenchResult> {
  const o = {
    seconds: opts.seconds ?? 3,
    batchSize: opts.batchSize ?? 32,
    warmupSteps: opts.warmupSteps ?? 1,
    cpuSteps: opts.cpuSteps ?? 2,
    log: opts.log ?? (() => {}),
  };
  const models = opts.models ?? MODEL_NAMES;
  // Registers the wasm training kernels; every core of a quiet machine unless SENSORIUM_WASM_THREADS says otherwise.
  const info = await initBackend('wasm', o.log, trainingBackendOptions(o.log));
  const result: TrainBenchResult = {
    benchmark: 'train',
    batchSize: o.batchSize,
    backends: {},
    ratio: null,
    models: {},
    wasm: info.features ? { simd: Boolean(info.features.simd), threads: Number(info.features.threads) || 1 } : null,
    loadAverage: [os.loadavg()[0]!, 0],
  };
  try {
    for (const name of models) {
      const t = await timeModel(name, 'wasm', o);
      if (name === 'har') result.backends.wasm = t;
      else result.models[name] = t;
    }
    if (o.cpuSteps > 0) {
      for (const name of models) {
        if (name !== 'har' && !opts.cpuAll) continue;
        const t = await timeModel(name, 'cpu', o, o.cpuSteps);
        if (name === 'har') result.backends.cpu = t;
        else {
          const entry = result.models[name]!;
          entry.cpu = t;
          entry.ratio = entry.samplesPerSec / t.samplesPerSec;
        }
      }
    }
  } finally {
    await tf.setBackend('wasm');
  }
  const { wasm, cpu } = result.backends;
  if (wasm && cpu) result.ratio = wasm.samplesPerSec / cpu.samplesPerSec;
  result.loadAverage[1] = os.loadavg()[0]!;
  return result;
}

export const spec = defineCommand({
  usage: 'npm run bench -- train [options]',
  summary: 'Training throughput (samples/s) of the reference models: HAR 1D-CNN on wasm and cpu, LSTM LM, MNIST CNN, conv VAE and DCGAN on wasm.',
  options: {
    seconds: { type: 'number', default: 3, min: 0.1, description: 'timed seconds per model on wasm' },
    'batch-size': { type: 'integer', default: 32, min: 1, aliases: ['batch'], description: 'samples per training step' },
    'warmup-steps': { type: 'integer', default: 1, min: 0, aliases: ['warmup'], description: 'untimed warm-up steps per model' },
    'cpu-steps': { type: 'integer', default: 2, min: 0, description: 'timed steps on the pure-JS cpu backend (0 skips cpu)' },
    'cpu-all': { type: 'boolean', default: false, description: 'time every model on cpu, not only HAR (slow: tens of seconds per step)' },
    models: { type: 'string', default: MODEL_NAMES.join(','), description: `comma-separated subset of ${MODEL_NAMES.join(', ')}` },
  },
  notes: 'Data is synthetic; the figures measure speed, not learning. The last stdout line is JSON.',
});

function parseModels(list: string): ModelName[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!(MODEL_NAMES as readonly string[]).includes(n)) throw new CliError(`unknown model '${n}': choose from ${MODEL_NAMES.join(', ')}`);
  }
  return names as ModelName[];
}

export async function main(argv: string[]): Promise<void> {
  const a = parseOptions(spec, argv);
  const result = await trainBenchmark({
    seconds: a.seconds,
    batchSize: a['batch-size'],
    warmupSteps: a['warmup-steps'],
    cpuSteps: a['cpu-steps'],
    cpuAll: a['cpu-all'],
    models: parseModels(a.models),
    log: (m) => console.error(m),
  });
  const rows: (string | number)[][] = [];
  const add = (model: string, backend: string, t: Throughput | undefined, ratio?: number | null) => {
    if (t) rows.push([model, backend, t.samplesPerSec.toFixed(1), t.samplesPerCpuSec.toFixed(1), t.msPerStep.toFixed(1), t.steps, ratio == null ? '' : `${ratio.toFixed(0)}x`]);
  };
  add('har', 'wasm', result.backends.wasm, result.ratio);
  add('har', 'cpu', result.backends.cpu);
  for (const [name, t] of Object.entries(result.models)) {
    add(name, 'wasm', t, t.ratio);
    add(name, 'cpu', t.cpu);
  }
  const [loadStart, loadEnd] = result.loadAverage;
  console.log(`Training throughput, batch ${result.batchSize}, synthetic data. samples/s is wall-clock; per CPU-s divides by this`);
  console.log(`process's CPU time instead, which other work on the machine dilutes far less (1-min load average ${loadStart.toFixed(1)} -> ${loadEnd.toFixed(1)} on ${os.cpus().length} CPUs).`);
  printTable(['model', 'backend', 'samples/s', 'per CPU-s', 'ms/step', 'steps', 'vs cpu'], rows);
  printResultJson(roundDeep(result, 2));
}
