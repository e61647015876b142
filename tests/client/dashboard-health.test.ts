// The dashboard reads /api/health once at start-up: a server that answers 503 (not ready: here
// its HAR model failed to load) is shown as such, with the server's problems, in the health
// notice — not as a failed request (issue 13, finding 8: /api/health answers 503 when degraded).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, skipBrowserTests } from './support/browser.js';
import { expectCleanPage } from './support/page-check.js';
import { startBrowserFixture, type BrowserFixture } from './support/setup.js';

let fx: BrowserFixture;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'client-health-'));
  fx = await startBrowserFixture({ harModel: 'trained', harModelDir: join(dir, 'no-model-here') });
}, 180_000);

afterAll(async () => {
  await fx?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(skipBrowserTests())('dashboard, server not ready', () => {
  it('shows the problems /api/health names with its 503', async () => {
    expect((await fetch(`${fx.server.url}/api/health`)).status).toBe(503);
    const { page, context, errors } = await openPage(fx.browser);
    try {
      await page.goto(`${fx.server.url}/`);
      const notice = page.locator('#health-notice');
      await expect.poll(() => notice.textContent(), { timeout: 10_000 }).toMatch(/^Server not ready: HAR model unavailable: no trained HAR model/);
      expect(await page.locator('#dashboard-notice').textContent()).not.toMatch(/health check failed/);
      // The 503 itself is the one error recorded (Chromium also logs it to the console); the page adds none.
      const expected = (e: string) => /\/api\/health$/.test(e) || /status of 503/.test(e);
      expect(errors.filter(expected).length).toBeGreaterThan(0);
      await expectCleanPage(
        page,
        'dashboard-not-ready',
        errors.filter((e) => !expected(e)),
      );
    } finally {
      await context.close();
    }
  }, 120_000);
});
