// Browser tests without Chromium: skipped with the reason on a developer's machine, so `npm test`
// passes there; failed under CI (CI set, as .ci/run does), so a CI machine cannot hide them. One
// policy for every system program the tests need (tests/helpers/skip-without.ts). The browser
// half runs a child Vitest on a fixture shaped like the browser test files.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { skipWithout } from '../helpers/skip-without.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const vitestBin = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
const MISSING_CHROMIUM = '/nonexistent/chromium';

interface Run {
  code: number;
  output: string;
}

/** The fixture under a child Vitest with this environment (this run's CI and Vitest variables removed). */
function runFixture(env: Record<string, string>): Promise<Run> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'CI' && !k.startsWith('VITEST') && k !== 'SENSORIUM_CHROMIUM'));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [vitestBin, 'run', '--config', 'tests/tooling/fixtures/vitest.fixtures.config.ts', '--reporter', 'verbose', '--color=false'],
      { cwd: root, env: { ...base, NO_COLOR: '1', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, output: `${stdout}\n${stderr}` }),
    );
  });
}

describe('skipWithout', () => {
  afterEach(() => vi.restoreAllMocks());

  it('skips without the program off CI, saying what is missing once; never skips in CI or with it', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const need = { found: false, missing: 'frobnicator not found (apt-get install frobnicator)', tests: 'the frob tests' };
    expect(skipWithout(need, {})).toBe(true);
    expect(skipWithout(need, {})).toBe(true);
    expect(stderr.mock.calls.map((c) => String(c[0]))).toEqual(['frobnicator not found (apt-get install frobnicator): skipping the frob tests (CI never skips them)\n']);
    expect(skipWithout(need, { CI: 'true' })).toBe(false);
    expect(skipWithout({ ...need, found: true }, {})).toBe(false);
  });
});

describe('browser tests without Chromium', () => {
  it('skip off CI, saying why and how to get it; fail in CI; run with Chromium', async () => {
    const [laptop, ci] = await Promise.all([runFixture({ SENSORIUM_CHROMIUM: MISSING_CHROMIUM }), runFixture({ SENSORIUM_CHROMIUM: MISSING_CHROMIUM, CI: 'true' })]);

    expect(laptop.code, laptop.output).toBe(0);
    expect(laptop.output).toMatch(/Tests\s+1 skipped/);
    expect(laptop.output).toContain(`Chromium not found at ${MISSING_CHROMIUM} (Debian/Ubuntu: apt-get install chromium`);
    expect(laptop.output).toContain('skipping the browser tests');

    expect(ci.code, ci.output).not.toBe(0);
    expect(ci.output).toContain(`Error: Chromium not found at ${MISSING_CHROMIUM}`);
    expect(ci.output).not.toContain('skipping the browser tests');

    // The positive control: with Chromium (here, or in CI) the same file runs its test.
    if (existsSync('/usr/bin/chromium') || process.env.CI) {
      const real = await runFixture({ SENSORIUM_CHROMIUM: '/usr/bin/chromium' });
      expect(real.code, real.output).toBe(0);
      expect(real.output).toMatch(/Tests\s+1 passed/);
    }
  }, 120_000);
});
