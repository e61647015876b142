// The image lab in Chromium against the real image-lab routes (untrained stand-in models: the
// page's mechanics, not the models' skill): drawing a digit classifies it and shows feature
// maps, the convolution playground computes and explains size errors, the VAE and GAN sections
// render, and without models every section says so instead of breaking.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureClientBuild } from '../../client/scripts/ensure-build.js';
import { DEFAULT_CNN_CONFIG } from '../../models/images/mnist-cnn/model.js';
import { launchBrowser, openPage, screenshot, skipBrowserTests } from './support/browser.js';
import { startLabTestServer, type LabTestServer } from './support/lab-server.js';
import { expectCleanPage } from './support/page-check.js';

let browser: Browser;

beforeAll(async () => {
  await ensureClientBuild();
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

/** Draws a "7" on the pad with the mouse. */
async function drawSeven(page: Page): Promise<void> {
  const box = (await page.locator('#draw-pad').boundingBox())!;
  const at = (x: number, y: number) => [box.x + (x / 280) * box.width, box.y + (y / 280) * box.height] as const;
  await page.mouse.move(...at(70, 60));
  await page.mouse.down();
  await page.mouse.move(...at(210, 60), { steps: 8 });
  await page.mouse.move(...at(120, 230), { steps: 12 });
  await page.mouse.up();
}

const imageLoaded = (page: Page, sel: string) => page.$eval(sel, (img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0);

describe.skipIf(skipBrowserTests())('image lab', () => {
  let server: LabTestServer;
  beforeAll(async () => {
    server = await startLabTestServer('untrained');
  }, 120_000);
  afterAll(async () => server?.close());

  it('classifies a drawn digit, shows feature maps, convolves, interpolates and samples', async () => {
    const { page, context, errors } = await openPage(browser, { viewport: { width: 1280, height: 1000 } });
    try {
      await page.goto(`${server.url}/lab/`);
      await drawSeven(page);
      const result = page.locator('#digit-result');
      await expect.poll(async () => result.getAttribute('data-label'), { timeout: 20_000 }).toMatch(/^[0-9]$/);
      expect(await result.textContent()).toMatch(/^→ \d \(\d+%\)$/);
      const percents = [...((await page.locator('#digit-probs').getAttribute('aria-label')) ?? '').matchAll(/(\d+)%/g)].map((m) => Number(m[1]));
      expect(percents).toHaveLength(10);
      expect(Math.abs(percents.reduce((a, b) => a + b, 0) - 100)).toBeLessThanOrEqual(5);
      // One map per filter of the CNN's first conv layer, all square.
      const filters = DEFAULT_CNN_CONFIG.filters1;
      expect(await page.locator('#feature-maps canvas').count()).toBe(filters);
      expect(await page.locator('#feature-info').textContent()).toMatch(new RegExp(`^\\(conv1: ${filters} filters, (\\d+)×\\1 each`));
      // The drawing became an MNIST-like 28×28 digit: ink centred in the frame.
      const preview = await page.$eval('#digit-input', (c) => {
        const canvas = c as HTMLCanvasElement;
        const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let lit = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i]! > 128) lit++;
        return lit / (d.length / 4);
      });
      expect(preview).toBeGreaterThan(0.03);

      // A built-in MNIST test digit can be loaded instead of drawing.
      const before = await page.locator('#digit-probs').getAttribute('aria-label');
      await page.getByLabel('…or load a test digit').selectOption('sample-3-0');
      await expect.poll(async () => page.locator('#digit-probs').getAttribute('aria-label'), { timeout: 10_000 }).not.toBe(before);

      // Convolution playground: the worked example's hand-computed output, then a size error.
      await page.getByLabel('Input', { exact: true }).selectOption('binary-5x5');
      await expect.poll(async () => page.locator('#conv-shapes').textContent()).toBe('input 5×5 → 3×3 kernel, stride 1, padding 0 → output 3×3');
      expect(await page.locator('#conv-output-view').getAttribute('aria-label')).toBe('Filtered output, 3×3; top-left value 4');
      await page.getByLabel('Stride').fill('3');
      await expect.poll(async () => page.locator('#conv-error').textContent()).toMatch(/\(n \+ 2p - k\)\/s \+ 1/);
      await page.getByLabel('Stride').fill('1');
      await page.getByLabel('kernel row 1, column 1').fill('0');
      await expect.poll(async () => page.locator('#conv-output-view').getAttribute('aria-label')).toBe('Filtered output, 3×3; top-left value 3');
      expect(await page.getByLabel('Kernel', { exact: true }).inputValue()).toBe('custom');
      // 2×2 pooling cannot tile a 3×3 map: the page says why.
      await page.getByLabel('Pooling').selectOption('max');
      await expect.poll(async () => page.locator('#conv-error').textContent()).toMatch(/\(3 \+ 2\*0 - 2\)\/2 \+ 1/);
      await page.getByLabel('Input', { exact: true }).selectOption('drawing');
      await expect.poll(async () => page.locator('#conv-shapes').textContent()).toBe('input 28×28 → 3×3 kernel, stride 1, padding 0 → output 26×26 → max pool 2×2 → 13×13');
      expect(await page.locator('#conv-error').isHidden()).toBe(true);

      // VAE: interpolation frames (the slider picks one), arithmetic strip, manifold image.
      await expect.poll(async () => page.$eval('#vae-strip', (c) => (c as HTMLCanvasElement).width), { timeout: 20_000 }).toBeGreaterThan(0);
      await page.getByLabel(/^Mix/).fill('1');
      expect(await page.locator('#vae-interp').getAttribute('data-frame')).toBe('10');
      await expect.poll(async () => page.$eval('#vae-arith', (c) => (c as HTMLCanvasElement).width), { timeout: 20_000 }).toBeGreaterThan(0);
      await expect.poll(async () => imageLoaded(page, '#vae-manifold'), { timeout: 20_000 }).toBe(true);
      // A square 15×15 grid of 28-pixel digits (plus the grid's gutters).
      const [w, hgt] = await page.$eval('#vae-manifold', (img) => [(img as HTMLImageElement).naturalWidth, (img as HTMLImageElement).naturalHeight]);
      expect(w).toBe(hgt);
      expect(w).toBeGreaterThanOrEqual(15 * 28);

      // GAN grids: all digits, then one digit of the conditional GAN (a new seed each time).
      await expect.poll(async () => imageLoaded(page, '#gan-grid'), { timeout: 20_000 }).toBe(true);
      const seed1 = await page.locator('#gan-grid').getAttribute('data-seed');
      await page.getByLabel('Digit (conditional GAN)').selectOption('3');
      await expect.poll(async () => page.locator('#gan-grid').getAttribute('data-seed')).not.toBe(seed1);
      await expect.poll(async () => page.locator('#gan-grid').getAttribute('alt')).toBe('30 generated digits (cgan, digit 3)');
      await expect.poll(async () => imageLoaded(page, '#gan-grid')).toBe(true);
      await page.getByLabel('Model', { exact: true }).selectOption('dcgan');
      expect(await page.getByLabel('Digit (conditional GAN)').isDisabled()).toBe(true);
      await expect.poll(async () => page.locator('#gan-grid').getAttribute('alt')).toBe('30 generated digits (dcgan, unconditional)');

      await page.waitForTimeout(300);
      await expectCleanPage(page, 'lab', errors);
    } finally {
      await context.close();
    }
  }, 120_000);
});

describe.skipIf(skipBrowserTests())('image lab without trained models', () => {
  let server: LabTestServer;
  beforeAll(async () => {
    server = await startLabTestServer('none');
  });
  afterAll(async () => server?.close());

  it('says which models are missing and keeps the playground working', async () => {
    const { page, context, errors } = await openPage(browser);
    try {
      await page.goto(`${server.url}/lab/`);
      // Interpolation/arithmetic use 'vae', the manifold 'vae-2d': both are named.
      await expect.poll(async () => page.locator('#vae-notice').textContent(), { timeout: 10_000 }).toMatch(/vae\/encoder.*·.*vae-2d\/encoder|vae-2d\/encoder.*·.*vae\/encoder/);
      // One line per missing model, however many routes hit it.
      expect(((await page.locator('#vae-notice').textContent()) ?? '').split(' · ')).toHaveLength(2);
      expect(await page.locator('#vae-manifold').isHidden()).toBe(true);
      expect(await page.locator('#gan-grid').isHidden()).toBe(true);
      await expect.poll(async () => page.locator('#gan-notice').textContent()).toMatch(/This GAN is not available: .*not trained yet/);
      await drawSeven(page);
      await expect.poll(async () => page.locator('#digit-notice').textContent()).toMatch(/The digit classifier is not available/);
      // The playground runs in the page and needs no model.
      await expect.poll(async () => page.locator('#conv-shapes').textContent()).toBe('input 28×28 → 3×3 kernel, stride 1, padding 0 → output 26×26');
      await screenshot(page, 'lab-no-models');
      // Only the expected 503s: no script errors, nothing else failing.
      const unexpected = errors.filter((e) => !/503/.test(e));
      expect(unexpected).toEqual([]);
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await context.close();
    }
  }, 60_000);
});
