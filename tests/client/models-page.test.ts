// The /models/ page in Chromium against the real server and the committed models: one card per
// models/trained/*/metadata.json, training curves drawn from metrics.history, the HAR card's
// validation confusion matrix, and an honest "none" when a HAR model's metadata has no matrix.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRAINED_MODELS_DIR } from '../../models/store/model-store.js';
import { ARTIFACTS_DIR, openPage, screenshot, skipBrowserTests } from './support/browser.js';
import { unlabelledControls } from './support/a11y.js';
import { startBrowserFixture, type BrowserFixture } from './support/setup.js';

let fx: BrowserFixture;

beforeAll(async () => {
  fx = await startBrowserFixture();
}, 180_000);

afterAll(async () => {
  await fx?.close();
});

const committed = readdirSync(TRAINED_MODELS_DIR)
  .filter((d) => existsSync(join(TRAINED_MODELS_DIR, d, 'metadata.json')))
  .map((d) => ({
    folder: d,
    meta: JSON.parse(readFileSync(join(TRAINED_MODELS_DIR, d, 'metadata.json'), 'utf8')) as { name: string; command?: string; metrics?: { history?: unknown[] }; extra?: { history?: unknown } },
  }));

describe.skipIf(skipBrowserTests())('models page', () => {
  it('every committed model keeps its training history under metrics.history', () => {
    for (const { folder, meta } of committed) {
      expect(meta.extra?.history, folder).toBeUndefined();
      expect(Array.isArray(meta.metrics?.history) && meta.metrics!.history!.length > 0, folder).toBe(true);
    }
  });

  it('shows a card per model with its command, draws the training curves and the HAR confusion matrix', async () => {
    const { page, errors, context } = await openPage(fx.browser);
    try {
      await page.goto(`${fx.server.url}/models/`);
      await page.locator('#model-cards[aria-busy="false"]').waitFor({ timeout: 15_000 });
      const names = await page.locator('.model-card').evaluateAll((cards) => cards.map((c) => (c as HTMLElement).dataset.model));
      expect(names).toEqual(committed.map((c) => c.meta.name).sort((a, b) => a.localeCompare(b)));

      for (const { meta } of committed) {
        const card = page.locator(`.model-card[data-model="${meta.name}"]`);
        if (meta.command) expect(await card.locator('.model-command').textContent()).toBe(meta.command);
        // One point per epoch of the history, drawn on a canvas that has ink on it.
        const curves = card.locator(`[data-curves="${meta.name}"]`);
        await expect.poll(() => curves.getAttribute('data-epochs'), { timeout: 10_000 }).toBe(String(meta.metrics!.history!.length));
        expect((await curves.getAttribute('data-series'))!.length).toBeGreaterThan(0);
        const inked = await curves.locator('canvas').evaluate((c: HTMLCanvasElement) => {
          const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
          return n;
        });
        expect(inked).toBeGreaterThan(500);
      }

      // HAR: its loss and validation accuracy, and the validation matrix with the 'stairs' row.
      const har = page.locator('.model-card[data-model="har"]');
      expect((await har.locator('[data-curves="har"]').getAttribute('data-series'))!.split(',')).toEqual(expect.arrayContaining(['loss', 'valAccuracy']));
      const rows = await har.locator('table[data-confusion="validation"] tbody tr:not(.hidden) th').allTextContents();
      expect(rows).toEqual(['walking', 'upstairs', 'downstairs', 'sitting', 'standing', 'lying', 'jogging', 'stairs']);
      const harMeta = committed.find((c) => c.meta.name === 'har')!.meta as unknown as { metrics: { validation: { confusion: number[][] } } };
      expect(await har.locator('table[data-confusion="validation"] tbody tr').first().locator('td').allTextContents()).toEqual(harMeta.metrics.validation.confusion[0]!.map(String));
      // Licenses as the metadata states them.
      expect(await har.locator('.model-datasets li').count()).toBe(3);
      expect(await har.locator('.license').first().textContent()).toMatch(/^License: /);
      // Image models have no confusion section.
      expect(await page.locator('.model-card[data-model="vae"] [data-confusion]').count()).toBe(0);

      expect(await unlabelledControls(page)).toEqual([]);
      await screenshot(page, 'models-page');
      await har.screenshot({ path: join(ARTIFACTS_DIR, 'models-page-har.png') });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("says so when a HAR model's metadata has no confusion matrix or history", async () => {
    const { page, errors, context } = await openPage(fx.browser);
    try {
      await page.route('**/api/models', (route) =>
        route.fulfill({
          contentType: 'application/json',
          body: JSON.stringify({ models: [{ name: 'har-old', kind: 'har-cnn', datasets: [{ name: 'hapt' }], metrics: [{ name: 'accuracy', value: 0.9 }], history: [] }] }),
        }),
      );
      await page.goto(`${fx.server.url}/models/`);
      const card = page.locator('.model-card[data-model="har-old"]');
      await card.waitFor({ timeout: 10_000 });
      expect(await card.locator('[data-confusion="missing"]').textContent()).toMatch(/has no confusion matrix/);
      expect(await card.locator('[data-curves="har-old"]').textContent()).toMatch(/no per-epoch history/);
      expect(await card.locator('.license').textContent()).toBe('License: not stated in the metadata');
      expect(await card.locator('canvas').count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
