// The phone page's "I'm doing" picker in Chromium: the chosen activity (one of the model's
// classes, or free text) travels with the samples as ground truth, so a recording of the phone
// made through the API is labelled — frame by frame, with what was chosen at that moment.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordingLine } from '../../protocol/recording-format.js';
import { openPage, screenshot, skipBrowserTests } from './support/browser.js';
import { unlabelledControls } from './support/a11y.js';
import { installFakeMotion } from './support/fake-motion.js';
import { startBrowserFixture, type BrowserFixture } from './support/setup.js';

const DEVICE = 'labelled-phone';
let fx: BrowserFixture;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'client-phone-labels-'));
  fx = await startBrowserFixture({ recording: { all: false, dir, flushMs: 100 } });
}, 180_000);

afterAll(async () => {
  await fx?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${fx.server.url}${path}`, { method: 'POST' });
  expect(res.status, path).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe.skipIf(skipBrowserTests())("phone page: I'm doing", () => {
  it('labels the samples of a recording with the chosen activity, then with free text', async () => {
    const { page, context, errors } = await openPage(fx.browser, { viewport: { width: 390, height: 844 } });
    try {
      await installFakeMotion(page, { activity: 'walking' });
      await page.goto(`${fx.server.url}/phone/?id=${DEVICE}`);
      await page.getByRole('button', { name: 'Start' }).click();
      // The model's classes arrive with the welcome.
      await page.locator('#doing-select option[value="jogging"]').waitFor({ state: 'attached', timeout: 15_000 });
      await page.getByLabel("I'm doing").selectOption('jogging');

      const started = await post(`/api/recordings/${DEVICE}/start`);
      const id = (started.recording as { id: string }).id;
      await page.waitForTimeout(1500);
      await page.getByLabel("I'm doing").selectOption({ label: 'Something else…' });
      await page.getByLabel('What you are doing').fill('cycling');
      await page.waitForTimeout(1500);
      await screenshot(page, 'phone-doing');
      await post(`/api/recordings/${DEVICE}/stop`);
      await page.getByRole('button', { name: 'Stop' }).click();

      const res = await fetch(`${fx.server.url}/api/recordings/${id}`);
      expect(res.status).toBe(200);
      const lines = (await res.text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as RecordingLine);
      const frames = lines.filter((l) => l.kind === 'samples');
      expect(frames.length).toBeGreaterThan(8); // ~5 frames/s for 3 s
      // Every sample of a frame carries the frame's label: jogging, then cycling. Between the
      // two, while "Something else" is chosen and nothing typed yet, a frame may go unlabelled.
      const perFrame = frames.map((f) => {
        if (f.labels === undefined) return null;
        expect(f.labels.length).toBe(f.t.length);
        expect(f.labels.every((l) => l === f.labels![0])).toBe(true);
        return f.labels[0];
      });
      const jogging = perFrame.indexOf('cycling') < 0 ? -1 : perFrame.lastIndexOf('jogging');
      const firstCycling = perFrame.indexOf('cycling');
      expect(jogging).toBeGreaterThan(3);
      expect(perFrame.slice(0, jogging + 1).every((l) => l === 'jogging')).toBe(true);
      expect(firstCycling - jogging).toBeLessThanOrEqual(3);
      expect(perFrame.slice(jogging + 1, firstCycling).every((l) => l === null)).toBe(true);
      expect(perFrame.slice(firstCycling).every((l) => l === 'cycling')).toBe(true);
      expect(perFrame.length - firstCycling).toBeGreaterThan(3);

      // The choice is remembered for the next visit.
      await page.reload();
      expect(await page.getByLabel("I'm doing").inputValue()).toBe('__other__');
      expect(await page.getByLabel('What you are doing').inputValue()).toBe('cycling');
      expect(await unlabelledControls(page)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
