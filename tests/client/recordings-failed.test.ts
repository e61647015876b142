// A recording the server could not write (here: its recordings folder is under a file, so it
// cannot be created) shows on the recordings page as failed, with the server's reason, and says
// so in the page's notice — instead of a row that looks fine (issue 13, finding 4).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from '../server/helpers.js';
import { openPage, skipBrowserTests } from './support/browser.js';
import { expectCleanPage } from './support/page-check.js';
import { startBrowserFixture, type BrowserFixture } from './support/setup.js';

let fx: BrowserFixture;
let dir: string;
let client: TestClient | undefined;
let timer: ReturnType<typeof setInterval> | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'client-recfail-'));
  writeFileSync(join(dir, 'blocker'), 'a file where the recordings folder should be');
  fx = await startBrowserFixture({ recording: { all: true, dir: join(dir, 'blocker', 'recordings'), flushMs: 100 } });
}, 180_000);

afterAll(async () => {
  clearInterval(timer);
  await client?.close();
  await fx?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(skipBrowserTests())('recordings page, failed recording', () => {
  it('shows the failure and its reason', async () => {
    client = await TestClient.connect(`${fx.server.wsUrl}/ws/device`);
    client.send({ type: 'hello', deviceId: 'doomed-rec', rateHz: 50, units: 'g', source: 'simulator' });
    await client.count('welcome', 1);
    // 5 samples (100 ms at 50 Hz) every 100 ms.
    let seq = 0;
    timer = setInterval(() => {
      const t = Array.from({ length: 5 }, (_, i) => Date.now() - 100 + i * 20);
      client!.send({ type: 'samples', seq: seq++, t, x: t.map((_, i) => 0.3 * Math.sin(seq + i)), y: t.map(() => 0.9), z: t.map(() => 0.2) });
    }, 100);
    const { page, context, errors } = await openPage(fx.browser, { viewport: { width: 1280, height: 900 } });
    try {
      await page.goto(`${fx.server.url}/recordings/`);
      const row = page.locator('#rec-table tr[data-recording^="doomed-rec_"]');
      await row.waitFor({ timeout: 10_000 });
      const status = row.locator('td').nth(4);
      await expect.poll(() => status.textContent(), { timeout: 10_000 }).toMatch(/^failed: .*(ENOTDIR|EEXIST)/);
      expect(await row.getAttribute('class')).toMatch(/\bfailed\b/);
      // Nothing reached the disk: no download link that would only 404.
      expect(await row.getByRole('link', { name: /^Download/ }).count()).toBe(0);
      expect(await page.locator('#recordings-notice').textContent()).toMatch(/^Recording doomed-rec_.* failed: .*(ENOTDIR|EEXIST)/);
      // The device itself is served and listed.
      expect(await page.locator('#rec-device-table tr[data-device="doomed-rec"] td').allTextContents()).toEqual(expect.arrayContaining(['simulator', 'not recording']));
      await expectCleanPage(page, 'recordings-failed', errors);
    } finally {
      await context.close();
    }
  }, 120_000);
});
