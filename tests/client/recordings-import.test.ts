// The recordings page in Chromium against the real server: a Sensor Logger export (generated
// here) is uploaded and becomes a recording; its row offers the csv download (the project's csv
// in g) and Delete, which asks first and removes the file.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../data/readers/csv.js';
import { STANDARD_GRAVITY } from '../../protocol/sensor-messages.js';
import { openPage, skipBrowserTests } from './support/browser.js';
import { expectCleanPage } from './support/page-check.js';
import { startBrowserFixture, type BrowserFixture } from './support/setup.js';

let fx: BrowserFixture;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'client-recordings-import-'));
  fx = await startBrowserFixture({ recording: { all: false, dir, flushMs: 100 } });
}, 300_000);
afterAll(async () => {
  await fx?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** 10 s at 50 Hz of Sensor Logger's TotalAcceleration.csv: ns time, seconds_elapsed, z, y, x in m/s². */
function sensorLoggerExport(): string {
  const rows = Array.from({ length: 500 }, (_, i) => `${1_698_310_000_000_000_000 + i * 20_000_000},${i / 50},${STANDARD_GRAVITY},0.2,${Math.sin(i / 5)}`);
  return ['time,seconds_elapsed,z,y,x', ...rows].join('\n') + '\n';
}

describe.skipIf(skipBrowserTests())('recordings page: import, csv, delete', () => {
  it('imports a Sensor Logger file, offers its csv and deletes it after asking', async () => {
    const { page, context, errors } = await openPage(fx.browser);
    try {
      await page.goto(`${fx.server.url}/recordings/`);
      await page.locator('#rec-import input[type=file]').setInputFiles({ name: 'TotalAcceleration.csv', mimeType: 'text/csv', buffer: Buffer.from(sensorLoggerExport()) });
      // The format is guessed from the file's name and header.
      expect(await page.locator('#rec-import select[name=format]').inputValue()).toBe('sensor-logger');
      expect(await page.locator('#rec-import select[name=units]').isVisible()).toBe(false);
      await page.getByRole('button', { name: 'Import' }).click();
      await page.locator('#recordings-notice', { hasText: /Imported TotalAcceleration_imported_/ }).waitFor({ timeout: 15_000 });
      const row = page.locator('#rec-table tbody tr', { hasText: 'import:TotalAcceleration' });
      await row.waitFor({ timeout: 10_000 });
      await row.locator('td', { hasText: '500' }).first().waitFor({ timeout: 10_000 });
      await row.locator('td', { hasText: '0:09' }).first().waitFor({ timeout: 10_000 }); // 500 samples at 50 Hz
      const id = (await row.getAttribute('data-recording'))!;
      expect(existsSync(join(dir, `${id}.ndjson`))).toBe(true);

      const csvLink = row.getByRole('link', { name: /^CSV/ });
      expect(await csvLink.getAttribute('download')).toBe(`${id}.csv`);
      const href = await csvLink.getAttribute('href');
      const csv = parseCsv(await (await fetch(new URL(href!, fx.server.url))).text(), `${id}.csv`);
      expect(csv.t.length).toBe(500);
      expect(csv.z[0]).toBeCloseTo(1, 5);
      expect(csv.x[5]).toBeCloseTo(Math.sin(1) / STANDARD_GRAVITY, 5);

      await expectCleanPage(page, 'recordings-import', errors);

      let asked = '';
      page.once('dialog', (d) => {
        asked = d.message();
        void d.accept();
      });
      await row.getByRole('button', { name: /^Delete/ }).click();
      await row.waitFor({ state: 'detached', timeout: 10_000 });
      expect(asked).toContain(id);
      expect(existsSync(join(dir, `${id}.ndjson`))).toBe(false);
      await page.locator('#recordings-notice', { hasText: `Deleted ${id}` }).waitFor();
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
