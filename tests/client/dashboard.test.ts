// The dashboard in Chromium against the real server, fed by synthetic phones over the real
// device protocol: devices listed, charts redrawn from live signal, predictions, accuracy for
// labelled devices, server stats, keyboard selection, and flat memory under sustained load.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PhoneFleet } from '../../simulators/phone-fleet.js';
import { openPage, screenshot, skipBrowserTests } from './support/browser.js';
import { startBrowserFixture, type BrowserFixture } from './support/setup.js';
import { expectCleanPage } from './support/page-check.js';

let fx: BrowserFixture;
let fleet: PhoneFleet | undefined;

beforeAll(async () => {
  fx = await startBrowserFixture();
}, 180_000);

afterAll(async () => {
  await fleet?.stop();
  await fx?.close();
});

const numberAttr = (value: string | null) => Number(value ?? NaN);

describe.skipIf(skipBrowserTests())('dashboard', () => {
  it('lists simulated phones and updates charts, probabilities, timeline and accuracy live', async () => {
    fleet = await PhoneFleet.start({ url: `${fx.server.wsUrl}/ws/device`, count: 3, labels: true, seed: 7, idPrefix: 'dash-phone' });
    const { page, context, errors } = await openPage(fx.browser);
    try {
      await page.goto(`${fx.server.url}/`);
      await page.waitForFunction(() => document.querySelectorAll('#device-table tbody tr').length === 3, null, { timeout: 15_000 });
      const ids = await page.$$eval('#device-table tbody tr', (rows) => rows.map((r) => r.getAttribute('data-device')));
      expect(ids.sort()).toEqual(['dash-phone-0001', 'dash-phone-0002', 'dash-phone-0003']);

      // The first device is watched automatically; its chart fills from `signal` messages.
      const signal = page.locator('[data-detail="signal"]');
      await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('[data-detail="signal"]')?.dataset.samples) > 50, null, { timeout: 15_000 });
      const renders1 = numberAttr(await signal.getAttribute('data-renders'));
      await page.waitForTimeout(1500);
      const renders2 = numberAttr(await signal.getAttribute('data-renders'));
      // Signal batches arrive every 100 ms: the chart must keep redrawing (coalesced per frame).
      expect(renders2 - renders1).toBeGreaterThanOrEqual(5);

      // The canvas really has ink: count non-blank pixels in the plot.
      const inked = await page.$eval('[data-detail="signal"] canvas', (c) => {
        const canvas = c as HTMLCanvasElement;
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
        return n / (canvas.width * canvas.height);
      });
      expect(inked).toBeGreaterThan(0.02);

      // Predictions: a label from the model's classes, probabilities in the bar chart's text.
      await page.waitForFunction(() => (document.querySelector<HTMLElement>('[data-detail="label"]')?.dataset.label ?? '') !== '', null, { timeout: 20_000 });
      const label = await page.locator('[data-detail="label"]').getAttribute('data-label');
      expect(['walking', 'upstairs', 'downstairs', 'sitting', 'standing', 'lying', 'jogging']).toContain(label);
      const probsLabel = (await page.locator('[data-detail="probs"] canvas').getAttribute('aria-label')) ?? '';
      const percents = [...probsLabel.matchAll(/(\d+)%/g)].map((m) => Number(m[1]));
      expect(percents).toHaveLength(7); // every known activity name (ACTIVITY_NAMES), whatever subset the model has
      expect(percents.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(96); // rounding
      expect(percents.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(104);
      await expect.poll(async () => page.locator('[data-detail="timeline"] canvas').getAttribute('aria-label'), { timeout: 10_000 }).toMatch(/\d+ predictions/);

      // Labelled phones: running accuracy and a confusion matrix with counts.
      await page.waitForFunction(() => /over \d+ windows/.test(document.querySelector('[data-detail="accuracy-text"]')?.textContent ?? ''), null, { timeout: 30_000 });
      const matrixTotal = await page.$$eval('[data-detail="confusion"] tbody td', (cells) => cells.reduce((s, c) => s + Number(c.textContent), 0));
      const stated = Number((await page.locator('[data-detail="accuracy-text"]').textContent())!.match(/over (\d+) windows/)![1]);
      expect(matrixTotal).toBe(stated);

      // Server panel from `stats` messages.
      await expect.poll(async () => page.locator('[data-stat="windows"]').textContent(), { timeout: 5000 }).not.toBe('—');
      expect(await page.locator('[data-stat="backend"]').textContent()).toBe('wasm');
      expect(await page.locator('[data-stat="devices"]').textContent()).toBe('3');
      expect(await page.locator('[data-stat="p99"]').textContent()).toMatch(/ms$/);

      // Keyboard: Tab to the second device's button and press Enter to watch it.
      const second = page.locator('button[data-device="dash-phone-0002"]');
      await second.focus();
      await page.keyboard.press('Enter');
      await expect.poll(async () => page.locator('#detail-heading').textContent()).toBe('dash-phone-0002');
      expect(await second.getAttribute('aria-pressed')).toBe('true');
      await page.waitForTimeout(3000);
      await expectCleanPage(page, 'dashboard', errors);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('stays smooth with flat memory while several devices stream at 4x real time', async () => {
    await fleet?.stop();
    // 6 phones at 4x real time (200 samples/s each) ≈ 24 phones' worth of chart updates.
    fleet = await PhoneFleet.start({ url: `${fx.server.wsUrl}/ws/device`, count: 6, labels: true, seed: 11, speed: 4, idPrefix: 'load-phone' });
    const { page, context, errors } = await openPage(fx.browser);
    try {
      await page.goto(`${fx.server.url}/`);
      await page.waitForFunction(() => document.querySelectorAll('#device-table tbody tr').length >= 6, null, { timeout: 15_000 });
      await page.waitForTimeout(5000); // warm-up: buffers fill to capacity, JIT settles
      const heap = () =>
        page.evaluate(() => {
          (window as unknown as { gc: () => void }).gc();
          return (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize;
        });
      const before = await heap();
      // Frame rate and long tasks while streaming.
      const perf = await page.evaluate(
        () =>
          new Promise<{ fps: number; longTaskMs: number }>((resolve) => {
            let frames = 0;
            let longTaskMs = 0;
            const obs = new PerformanceObserver((list) => {
              for (const e of list.getEntries()) longTaskMs += e.duration;
            });
            obs.observe({ type: 'longtask', buffered: false });
            const start = performance.now();
            const tick = () => {
              frames++;
              if (performance.now() - start < 10_000) requestAnimationFrame(tick);
              else {
                obs.disconnect();
                resolve({ fps: frames / ((performance.now() - start) / 1000), longTaskMs });
              }
            };
            requestAnimationFrame(tick);
          }),
      );
      const after = await heap();
      const renders = await page.locator('[data-detail="signal"]').getAttribute('data-renders');
      console.log(
        `dashboard under load: ${perf.fps.toFixed(1)} fps, long tasks ${perf.longTaskMs.toFixed(0)} ms in 10 s, heap ${(before / 1e6).toFixed(2)} -> ${(after / 1e6).toFixed(2)} MB, ${renders} chart renders`,
      );
      expect(perf.fps).toBeGreaterThan(20);
      expect(perf.longTaskMs).toBeLessThan(2000);
      // Fixed-size buffers: after the warm-up the heap must not keep growing.
      expect(after - before).toBeLessThan(1_000_000);
      await screenshot(page, 'dashboard-load');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
