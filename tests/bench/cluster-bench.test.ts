// `npm run bench -- cluster` on a tiny fleet: a real cluster (nats-server, 2 inference members,
// 2 gateways as processes), phones on both gateways watched from the other one, inference-1
// SIGKILLed mid-run; the last stdout line carries the figures the issue asks for, and the
// accounting holds: every window the phones' samples make came back, every device reached a
// remote dashboard.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { skipNatsTests } from '../helpers/nats-server.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

describe.skipIf(skipNatsTests())('npm run bench -- cluster', () => {
  it('prints the cluster figures as the last JSON line, with no window lost when an inference member is killed', () => {
    const args = ['--import', 'tsx', 'bench/cli.ts', 'cluster', '--phones', '4', '--seconds', '3', '--warmup', '3', '--kill-inference-at', '1', '--drain-seconds', '2', '--model', 'untrained'];
    const run = spawnSync(process.execPath, args, { cwd: REPO, encoding: 'utf8', timeout: 58_000 });
    expect(run.status, run.stderr.slice(-3000)).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    for (const key of ['phones', 'windowsPerSec', 'expectedWindowsPerSec', 'latencyMs', 'lostWindows', 'failoverMs', 'dashboardCoverage']) expect(result).toHaveProperty(key);
    expect(result.latencyMs).toEqual({ p50: expect.any(Number), p99: expect.any(Number) });
    expect(result).toMatchObject({ phones: 4, connected: 4, mode: 'cluster', gateways: 2, inference: 2, killed: 'inference-1', lostWindows: 0, dashboardCoverage: 1, errors: {} });
    expect(result.failoverMs).toEqual(expect.any(Number));
    expect(result.expectedWindowsPerSec).toBeCloseTo((4 * 50) / 64, 1);
    expect(result.windowsPerSec as number).toBeGreaterThan(0);
    // 4 phones streaming ~6 s (3 warm-up + 3 measured) make 2 or 3 windows each, all answered.
    expect(result.predictions as number).toBeGreaterThanOrEqual(4);
    expect(result.predictions).toBe(result.windowsExpected);
    expect(result.cpuMsPerWindow as number).toBeGreaterThan(0);
    expect(Object.keys(result.cpuShareByProcess as object).sort()).toEqual(['gateway-1', 'gateway-2', 'inference-1', 'inference-2', 'nats-server']);
  }, 60_000);
});
