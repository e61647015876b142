// `npm run simulate -- replay`: streams recorded sessions (HAPT folders, csv files) through the
// real WebSocket protocol, one recording per device, and scores the server's predictions
// against the recordings' labels, the way eval scores windows.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineCommand, CliError, parseOptions } from '../cli/args.js';
import { backendOption } from '../cli/backend-option.js';
import { ProgressBar } from '../cli/progress.js';
import { printResultJson, printTable, roundDeep } from '../cli/report.js';
import { readRecordings, RECORDING_FORMATS } from '../data/readers/index.js';
import type { Recording } from '../data/readers/recording.js';
import { HarScorer } from '../models/har/metrics.js';
import { PLACEMENTS } from '../protocol/sensor-messages.js';
import { DEFAULT_CONFIG } from '../server/config.js';
import { parseDeviceUrls } from './failover-device.js';
import { LatencyLog, percentiles } from './latency-log.js';
import { startLocalServer, type LocalServer } from './local-server.js';
import { replayRecording, type ReplayResult } from './replay-session.js';

export const spec = defineCommand({
  usage: `npm run simulate -- replay --format ${RECORDING_FORMATS.join('|')} --data PATH [options]`,
  summary: 'Replays recordings through the server (one recording = one device) and scores its predictions.',
  options: {
    format: {
      type: 'string',
      choices: RECORDING_FORMATS,
      required: true,
      description:
        "hapt: a HAPT RawData folder; csv: a file or folder of timestamp_ms,x,y,z[,label]; recording: a server recording (.ndjson) or folder of them; wisdm2019, mobifall: those data sets' native (gzip) files",
    },
    data: { type: 'string', required: true, description: 'path of the recordings, e.g. ../shared/data/hapt/RawData' },
    units: { type: 'string', choices: ['g', 'm/s2'], description: 'units of csv values (default g)' },
    speed: { type: 'string', default: 'max', description: 'multiple of real time (1 = real time), or 0/max = as fast as the server answers' },
    url: {
      type: 'string',
      repeatable: true,
      description:
        'device endpoint of a running server; default: start one in this process on a free 127.0.0.1 port. Several (a,b or repeated --url): recording i starts on the (i mod n)-th, and a dropped device reconnects to the next one',
    },
    reconnect: { type: 'boolean', description: 'reconnect a dropped device (to the next --url); default: on with several --url, off with one' },
    users: { type: 'string', description: 'hapt, wisdm2019 or mobifall subjects to replay, e.g. 1,3' },
    placement: {
      type: 'string',
      choices: PLACEMENTS,
      description: "where the phone was carried, sent in each device's hello (default: the data set's own: hapt waist, wisdm2019/mobifall pocket; else unknown)",
    },
    'max-devices': { type: 'integer', min: 1, description: 'replay at most this many recordings (the first ones)' },
    concurrency: { type: 'integer', min: 1, max: 5000, default: 64, description: 'devices streaming at the same time' },
    encoding: { type: 'string', choices: ['json', 'msgpack'], default: 'json', description: 'frame encoding' },
    'frame-seconds': { type: 'number', min: 0.02, max: 5, default: 0.25, description: 'seconds of recording per frame' },
    'max-in-flight': {
      type: 'integer',
      min: 1,
      max: 1000,
      default: 3,
      description: "max speed: windows a device may have awaiting a prediction (keep concurrency x this under the server's queue, 256 by default)",
    },
    'max-samples-per-sec': {
      type: 'number',
      min: 0,
      description: `cap per device (0 = none); default with --url: 95% of the server's default rate limit (${DEFAULT_CONFIG.rateLimit.samplesPerSec}/s), none in-process`,
    },
    backend: backendOption,
    model: { type: 'string', description: 'in-process server: HAR model folder (default models/trained/har)' },
    calibrate: {
      type: 'number',
      min: 5,
      max: 3600,
      description: 'personal calibration: each device teaches the server the first SECONDS of each of its labels, personalises, and is also scored on the windows its personal head predicts',
    },
    'allow-untrained': { type: 'boolean', default: false, description: 'in-process server: serve an untrained model when none is trained (numbers are then meaningless)' },
  },
  notes: [
    'Without --url the replay starts its own server (buildServer) on 127.0.0.1 with a free port, lifts its per-device',
    'rate limit so that --speed max is bounded only by inference, and stops it at the end.',
    'Scoring: windows that lie wholly inside one labelled basic-activity segment of the recording; a',
    "'stairs' label accepts either stairs class. Transitions and unlabelled samples are not scored.",
    'The last stdout line is JSON: {"devices","windows","accuracy","macroF1","perClass","latencyMs":{"p50","p95","p99"},"framesSent","errors"}.',
  ].join('\n'),
});

export async function main(argv: string[]): Promise<void> {
  const o = parseOptions(spec, argv);
  const speed = parseSpeed(o.speed);
  const users = o.users === undefined ? undefined : parseUsers(o.users);
  let recordings: Recording[];
  try {
    recordings = await readRecordings(o.format, o.data, { units: o.units, users });
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  if (o['max-devices'] !== undefined) recordings = recordings.slice(0, o['max-devices']);
  for (const r of recordings) for (const w of r.warnings ?? []) console.error(`replay: ${r.id}: ${w}`);
  const concurrency = Math.min(o.concurrency, recordings.length);

  let server: LocalServer | undefined;
  let urls = o.url === undefined ? undefined : parseDeviceUrls(o.url);
  if (urls === undefined) {
    server = await startLocalServer({
      backend: o.backend,
      harModelDir: o.model === undefined ? undefined : o.model,
      allowUntrainedModel: o['allow-untrained'],
      maxDevices: concurrency + 16,
      liftRateLimit: true,
      // Room for every window in flight, so that none is dropped as 'overloaded'.
      overrides: {
        batching: { maxQueue: Math.max(DEFAULT_CONFIG.batching.maxQueue, Math.ceil(1.5 * concurrency * o['max-in-flight'])) },
        // Personal heads of a replay's own server are thrown away with it.
        ...(o.calibrate !== undefined ? { personal: { ...DEFAULT_CONFIG.personal, dir: await mkdtemp(join(tmpdir(), 'sensorium-replay-personal-')) } } : {}),
      },
      log: (m) => console.error(`replay: ${m}`),
    }).catch((err: Error) => {
      throw new CliError(`cannot start the in-process server: ${err.message}`);
    });
    urls = [server.deviceUrl];
  }
  const url = urls.join(', ');
  // An external server enforces its per-device rate limit: stay under its default unless told.
  const cap = o['max-samples-per-sec'] !== undefined ? o['max-samples-per-sec'] : server ? 0 : 0.95 * DEFAULT_CONFIG.rateLimit.samplesPerSec;

  const totalSamples = recordings.reduce((s, r) => s + r.t.length, 0);
  const hours = recordings.reduce((s, r) => s + (r.t.length ? (r.t[r.t.length - 1]! - r.t[0]!) / 3.6e6 : 0), 0);
  console.error(`replay: ${recordings.length} recordings (${hours.toFixed(2)} h) -> ${url}, speed ${speed}, ${concurrency} at a time`);
  const latency = new LatencyLog(1 << 20);
  let scorer: HarScorer | undefined; // the model's classes come with the first welcome
  const progress = new ProgressBar({ total: totalSamples, label: 'replay', unit: 'samples' });
  const results: ReplayResult[] = [];
  const started = performance.now();
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < recordings.length) {
      const index = next++;
      const rec = recordings[index]!;
      try {
        const result = await replayRecording(rec, {
          url: urls,
          startIndex: index,
          reconnect: o.reconnect === undefined ? undefined : o.reconnect,
          deviceId: `replay-${rec.id}`.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 64),
          encoding: o.encoding,
          speed,
          frameSeconds: o['frame-seconds'],
          maxInFlightWindows: o['max-in-flight'],
          maxSamplesPerSec: cap,
          latency,
          onFrame: (n) => progress.tick(n, { windows: latency.server.count }),
          ...(o.placement !== undefined ? { placement: o.placement } : {}),
          ...(o.calibrate !== undefined ? { calibrateSeconds: o.calibrate } : {}),
        });
        scorer ??= new HarScorer(result.classes);
        for (const w of result.windows) if (w.truth !== undefined) scorer.add(w.truth, w.label);
        results.push(result);
      } catch (err) {
        failures++;
        console.error(`replay: ${rec.id}: ${(err as Error).message}`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    await server?.close();
  }
  const seconds = (performance.now() - started) / 1000;
  if (results.length === 0) throw new Error(`no recording could be replayed (${failures} failed)`);
  report(results, scorer ?? new HarScorer(results[0]!.classes), latency, seconds, failures, urls.length > 1 || o.reconnect === true);
}

function report(results: ReplayResult[], scorer: HarScorer, latency: LatencyLog, seconds: number, failures: number, withReconnects: boolean): void {
  const m = scorer.result();
  const errorsByCode: Record<string, number> = {};
  for (const r of results) for (const [code, n] of Object.entries(r.errors)) errorsByCode[code] = (errorsByCode[code] ?? 0) + (n ?? 0);
  if (failures) errorsByCode.connect = failures;
  const predictions = results.reduce((s, r) => s + r.windows.length, 0);
  const framesSent = results.reduce((s, r) => s + r.framesSent, 0);
  const withServerTruth = results.flatMap((r) => r.windows.filter((w) => w.truth !== undefined && w.serverTruth !== undefined));
  const server = percentiles(latency.server);
  const client = percentiles(latency.client);

  console.log(`\nReplayed ${results.length} devices in ${seconds.toFixed(1)} s: ${framesSent} frames, ${predictions} predictions, ${m.n} scored windows`);
  printTable(
    ['class', 'precision', 'recall', 'f1', 'support'],
    Object.entries(m.perClass).map(([c, s]) => [c, s.precision, s.recall, s.f1, s.support]),
  );
  console.log('');
  printTable(
    ['truth \\ predicted', ...m.classes],
    m.confusion.map((row, i) => [(m.confusionRows ?? m.classes)[i]!, ...row]),
  );
  console.log(`\naccuracy ${m.accuracy.toFixed(4)}  macro-F1 ${m.macroF1.toFixed(4)}`);
  console.log(
    `latency (last sample in -> label out) server p50 ${server.p50.toFixed(1)} p95 ${server.p95.toFixed(1)} p99 ${server.p99.toFixed(1)} ms; client p50 ${client.p50.toFixed(1)} p99 ${client.p99.toFixed(1)} ms`,
  );
  if (withServerTruth.length) {
    const agree = withServerTruth.filter((w) => w.serverTruth === w.truth).length;
    console.log(`server-reported truth agrees with the recording on ${agree}/${withServerTruth.length} scored windows`);
  }
  const errors = Object.values(errorsByCode).reduce((a, b) => a + b, 0);
  if (errors)
    console.log(
      `errors: ${Object.entries(errorsByCode)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
  printResultJson(
    roundDeep({
      devices: results.length,
      windows: m.n,
      predictions,
      accuracy: m.accuracy,
      macroF1: m.macroF1,
      perClass: m.perClass,
      latencyMs: { p50: server.p50, p95: server.p95, p99: server.p99 },
      clientLatencyMs: { p50: client.p50, p95: client.p95, p99: client.p99 },
      framesSent,
      errors,
      errorsByCode,
      seconds,
      ...(withReconnects ? { reconnects: results.reduce((s, r) => s + r.reconnects, 0) } : {}),
      ...(results.some((r) => r.calibration) ? { personal: personalSummary(results) } : {}),
    }),
  );
}

/** With --calibrate: the windows personal heads predicted, scored, and how the calibrations went. */
function personalSummary(results: readonly ReplayResult[]) {
  const scorer = new HarScorer(results[0]!.classes);
  for (const r of results) for (const w of r.windows) if (w.source === 'personal' && w.truth !== undefined) scorer.add(w.truth, w.label);
  const m = scorer.result();
  const fits = results.flatMap((r) => (r.calibration?.fitMs !== undefined ? [r.calibration.fitMs] : []));
  const failed = results.filter((r) => r.calibration?.error).map((r) => ({ device: r.deviceId, error: r.calibration!.error! }));
  for (const f of failed) console.log(`calibration failed for ${f.device}: ${f.error}`);
  const keptShared = results.filter((r) => r.calibration?.kept === 'shared').map((r) => r.deviceId);
  if (keptShared.length) console.log(`shared model kept by the guard for ${keptShared.join(', ')}`);
  console.log(
    `personal heads: ${fits.length} fitted (mean ${fits.length ? (fits.reduce((a, b) => a + b, 0) / fits.length).toFixed(0) : '-'} ms), accuracy ${m.accuracy.toFixed(4)} on the ${m.n} windows they predicted`,
  );
  return { windows: m.n, accuracy: m.accuracy, macroF1: m.macroF1, fitted: fits.length, meanFitMs: fits.length ? fits.reduce((a, b) => a + b, 0) / fits.length : null, keptShared, failed };
}

function parseSpeed(text: string): number | 'max' {
  if (text === 'max' || text === '0') return 'max';
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`--speed must be a positive number, 0 or max (got '${text}')`);
  return n;
}

function parseUsers(text: string): number[] {
  const users = text.split(',').map((s) => Number(s.trim()));
  if (users.length === 0 || users.some((u) => !Number.isInteger(u) || u < 1)) throw new CliError(`--users must be a comma-separated list of subject numbers, e.g. 1,3 (got '${text}')`);
  return users;
}
