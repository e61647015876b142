// server/process-flags.ts and server/source-maps-off.mjs: npm start and every other way a server
// process starts use the same flags; they leave source maps off in the main thread and in worker
// threads booted through tsx (unless --enable-source-maps asks for them), and the young generation
// stays within its cap under a burst of short-lived allocations.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JEMALLOC_CANDIDATES, jemallocPath } from '../../server/jemalloc-path.mjs';
import { SEMI_SPACE_MB, SERVER_ENV, SERVER_NODE_FLAGS, SOURCE_MAPS_OFF } from '../../server/process-flags.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BOOT = fileURLToPath(new URL('../../server/inference/worker-boot.mjs', import.meta.url));
const ENTRY = new URL('./fixtures/report-runtime.ts', import.meta.url).href;
const MB = 2 ** 20;
/** `npm start`'s command line, as package.json has it. */
const START = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: { start: string } }).scripts.start;

/** Runs `code` (an ES module) in a node started like a server (its flags, tsx's loader first). */
function runAsServer(code: string, extraFlags: string[] = []): Record<string, unknown> {
  const r = spawnSync(process.execPath, [...SERVER_NODE_FLAGS, ...extraFlags, '--input-type=module', '-e', code], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', BOOT, ENTRY },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

const REPORT_BOTH = `
import { Worker } from 'node:worker_threads';
// The server's workers inherit its flags; here --input-type is for the -e code only, and a V8
// heap flag given to a worker explicitly is refused (inherited, it is left out quietly).
const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type') && !a.startsWith('--max-semi-space-size'));
const worker = new Worker(process.env.BOOT, { workerData: { entry: process.env.ENTRY }, execArgv });
const inWorker = await new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
await worker.terminate();
console.log(JSON.stringify({ main: process.sourceMapsEnabled, worker: inWorker.sourceMapsEnabled, typed: inWorker.typed }));
`;

describe('server process flags', () => {
  it('are the ones npm start passes', () => {
    // The tsx command is node with tsx's loader: the first two flags.
    const flags = SERVER_NODE_FLAGS.slice(2).map((f) => (f === SOURCE_MAPS_OFF ? `./${relative(ROOT, f)}` : f));
    // LD_PRELOAD is found when the script runs (jemalloc may be installed or not), the rest is fixed.
    const env = Object.entries(SERVER_ENV)
      .filter(([k]) => k !== 'LD_PRELOAD')
      .map(([k, v]) => `${k}=${v}`);
    expect(START).toBe(`LD_PRELOAD=$(node server/jemalloc-path.mjs) ${env.join(' ')} tsx ${flags.join(' ')} server/main.ts`);
  });

  it("preload jemalloc when it is installed, through npm start's own command line", () => {
    // .ci/run installs it, so there this cannot pass by finding nothing.
    if (process.env.CI) expect(jemallocPath(), `CI installs libjemalloc2 (${JEMALLOC_CANDIDATES.join(', ')})`).toBeDefined();
    const envPrefix = START.slice(0, START.indexOf(' tsx '));
    const probe = `node -e "const m = require('fs').readFileSync('/proc/self/maps', 'utf8'); console.log(JSON.stringify({ jemalloc: /libjemalloc/.test(m), conf: process.env.MALLOC_CONF }))"`;
    const run = () => {
      const env: Record<string, string | undefined> = { ...process.env, LD_PRELOAD: '' };
      const r = spawnSync('sh', ['-c', `${envPrefix} ${probe}`], { cwd: ROOT, env, encoding: 'utf8', timeout: 30_000 });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout.trim()) as { jemalloc: boolean; conf: string };
    };
    expect(run()).toEqual({ jemalloc: jemallocPath() !== undefined, conf: SERVER_ENV.MALLOC_CONF });
  });

  it('leave source maps off in the main thread and in a worker booted through tsx', () => {
    expect(runAsServer(REPORT_BOTH)).toEqual({ main: false, worker: false, typed: 1 });
  }, 120_000);

  it('keep them on when --enable-source-maps asks for them', () => {
    expect(runAsServer(REPORT_BOTH, ['--enable-source-maps'])).toEqual({ main: true, worker: true, typed: 1 });
  }, 120_000);

  it('cap the young generation under a burst of short-lived allocations', () => {
    const code = `
import { getHeapSpaceStatistics } from 'node:v8';
let most = 0, keep = [];
for (let round = 0; round < 400; round++) {
  // Half survives a scavenge or two: what makes V8 grow the young generation when it may.
  keep.push(Array.from({ length: 5000 }, (_, i) => ({ i, s: 'x' + i })));
  if (keep.length > 4) keep.shift();
  most = Math.max(most, getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
}
console.log(JSON.stringify({ most }));
`;
    const capped = runAsServer(code).most as number;
    expect(capped).toBeLessThanOrEqual(2 * SEMI_SPACE_MB * MB);
    // The same program without the cap grows past it: the figure above comes from the flag.
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 60_000 });
    expect(JSON.parse(r.stdout.trim()).most as number).toBeGreaterThan(2 * SEMI_SPACE_MB * MB);
  }, 120_000);
});
