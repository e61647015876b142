// `npm run bench -- backends [--quick]`: every backend that loads here, each in its own process
// (bench/backends-run.ts): HAR inference windows/s at batch 1/16/64/256, served batched vs
// unbatched (the server's batcher, 64 closed-loop devices), HAR and MNIST training samples/s,
// one batched LSTM step of 64 sessions, the adapter of webgpu. A backend that does not load is
// listed with why. Ratios are against WASM. Last stdout line: one JSON object.
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineCommand, CliError, parseOptions } from '../cli/args.js';
import { printResultJson, printTable } from '../cli/report.js';
import { AUTO_ORDER } from '../models/runtime/backend.js';

const RUNNER = fileURLToPath(new URL('./backends-run.ts', import.meta.url));

export const spec = defineCommand({
  usage: 'npm run bench -- backends [--quick] [--backends a,b] [--seconds S]',
  summary: 'HAR inference, served batching, HAR/MNIST training and the LSTM step on every backend that loads; ratios against WASM.',
  options: {
    quick: { type: 'boolean', description: 'one timed call per figure, 16 devices and sessions (a smoke run; on SwiftShader still minutes)' },
    backends: { type: 'string', default: AUTO_ORDER.join(','), description: 'backends to try, comma-separated' },
    seconds: { type: 'number', description: 'timed seconds per figure (default 3; --quick: 0.5)' },
    'timeout-seconds': { type: 'number', default: 900, aliases: ['timeout-sec'], description: 'give up on one backend after this long' },
  },
  notes: 'webgpu here: forced, so a software adapter (SwiftShader) counts and is marked fallback: true; its figures prove it runs, not speed.',
});

interface RunResult {
  backend: string;
  available: boolean;
  reason?: string;
  inferenceWindowsPerSec?: Record<string, number>;
  served?: { batched: number; unbatched: number; ratio: number };
  trainingSamplesPerSec?: { har: number; mnist: number };
  lstmStep?: { sessionStepsPerSec: number };
  [k: string]: unknown;
}

function runBackend(backend: string, args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', RUNNER, '--backend', backend, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      process.stderr.write(d);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').at(-1);
      try {
        if (code === 0 && last) return resolve(JSON.parse(last) as RunResult);
      } catch {
        // fall through: report the failure
      }
      const why = signal ? `killed (${signal}) after ${timeoutMs / 1000} s` : `exited ${code}: ${err.trim().split('\n').at(-1) ?? ''}`;
      resolve({ backend, available: false, reason: why });
    });
  });
}

const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? Math.round((a / b) * 100) / 100 : null);

export async function main(argv: string[]): Promise<void> {
  const o = parseOptions(spec, argv);
  const backends = o.backends
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const unknown = backends.filter((b) => !(AUTO_ORDER as readonly string[]).includes(b));
  if (unknown.length) throw new CliError(`unknown backend(s) ${unknown.join(', ')}: choose from ${AUTO_ORDER.join(', ')}`);
  const quick = o.quick;
  const seconds = o.seconds !== undefined ? o.seconds : quick ? 0.5 : 3;
  const args = ['--seconds', String(seconds), ...(quick ? ['--min-calls', '1', '--sessions', '16'] : [])];
  const loadStart = loadavg()[0]!;
  const results: RunResult[] = [];
  for (const b of backends) {
    console.error(`backends: ${b}`);
    results.push(await runBackend(b, args, o['timeout-seconds'] * 1000));
  }
  const wasm = results.find((r) => r.backend === 'wasm' && r.available);
  const vsWasm = Object.fromEntries(
    results
      .filter((r) => r.available && r.backend !== 'wasm')
      .map((r) => [
        r.backend,
        {
          inferenceBatch256: ratio(r.inferenceWindowsPerSec?.batch256, wasm?.inferenceWindowsPerSec?.batch256),
          harTraining: ratio(r.trainingSamplesPerSec?.har, wasm?.trainingSamplesPerSec?.har),
          mnistTraining: ratio(r.trainingSamplesPerSec?.mnist, wasm?.trainingSamplesPerSec?.mnist),
          lstmStep: ratio(r.lstmStep?.sessionStepsPerSec, wasm?.lstmStep?.sessionStepsPerSec),
        },
      ]),
  );
  printTable(
    ['backend', 'b1', 'b16', 'b64', 'b256 win/s', 'served batched/unbatched', 'HAR train/s', 'MNIST train/s', 'LSTM session-steps/s'],
    results.map((r) =>
      r.available
        ? [
            r.backend,
            r.inferenceWindowsPerSec?.batch1,
            r.inferenceWindowsPerSec?.batch16,
            r.inferenceWindowsPerSec?.batch64,
            r.inferenceWindowsPerSec?.batch256,
            `${r.served?.batched} / ${r.served?.unbatched} (${r.served?.ratio}x)`,
            r.trainingSamplesPerSec?.har,
            r.trainingSamplesPerSec?.mnist,
            r.lstmStep?.sessionStepsPerSec,
          ].map((v) => String(v ?? '-'))
        : [r.backend, 'n/a', '', '', '', '', '', '', ''],
    ),
  );
  for (const r of results) if (!r.available) console.error(`${r.backend}: not available: ${r.reason}`);
  printResultJson({ benchmark: 'backends', quick, seconds, backends: results, vsWasm, loadAverage: [loadStart, loadavg()[0]!] });
}
