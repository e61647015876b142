// The phone page's placement picker and "Teach it your activities" in Chromium against a real
// server: one tap picks the placement (it goes into the hello and is remembered); two recordings,
// Personalise, and the page and the dashboard show the personal model; Reset goes back.
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, screenshot, skipBrowserTests } from './support/browser.js';
import { lowContrastText, unlabelledControls } from './support/a11y.js';
import { installFakeMotion } from './support/fake-motion.js';
import { startBrowserFixture, type BrowserFixture } from './support/setup.js';

const PHONE_VIEWPORT = { width: 390, height: 844 };
let fx: BrowserFixture;
let personalDir = '';

beforeAll(async () => {
  personalDir = await mkdtemp(join(tmpdir(), 'sensorium-phone-personal-'));
  fx = await startBrowserFixture({ personal: { dir: personalDir } });
}, 180_000);

afterAll(async () => {
  await fx?.close();
});

describe.skipIf(skipBrowserTests())('phone page calibration', () => {
  it('picks a placement in one tap, teaches two activities, personalises, shows it (phone and dashboard), resets', async () => {
    const phone = await openPage(fx.browser, { viewport: PHONE_VIEWPORT });
    const dash = await openPage(fx.browser);
    const hellos: Record<string, unknown>[] = [];
    phone.page.on('websocket', (ws) => ws.on('framesent', (f) => typeof f.payload === 'string' && f.payload.includes('"hello"') && hellos.push(JSON.parse(f.payload))));
    try {
      await installFakeMotion(phone.page, { activity: 'walking', permission: 'granted' });
      await phone.page.goto(`${fx.server.url}/phone/?id=teach-phone&encoding=json&teach=8`);
      const pocket = phone.page.getByRole('button', { name: 'Trouser pocket' });
      await pocket.click();
      expect(await pocket.getAttribute('aria-pressed')).toBe('true');
      expect(await phone.page.getByRole('button', { name: "Don't know" }).getAttribute('aria-pressed')).toBe('false');
      // Teaching needs a connection.
      expect(await phone.page.getByRole('button', { name: 'Record 8 s' }).isDisabled()).toBe(true);

      await phone.page.getByRole('button', { name: 'Start' }).click();
      await phone.page.waitForFunction(() => (document.querySelector<HTMLElement>('#current-label')?.dataset.label ?? '') !== '', null, { timeout: 20_000 });
      expect(hellos[0]).toMatchObject({ type: 'hello', deviceId: 'teach-phone', placement: 'pocket' });
      expect(await phone.page.locator('#model-source').textContent()).toBe('shared model');
      expect(await phone.page.locator('#calibration-state').textContent()).toMatch(/shared model/);

      const activity = phone.page.getByLabel('Activity to teach');
      for (const name of ['walking', 'standing']) {
        await activity.selectOption(name);
        await phone.page.getByRole('button', { name: 'Record 8 s' }).click();
        await phone.page.waitForFunction((n) => document.querySelector<HTMLElement>('#calibration')?.dataset.recording === n, name);
        await phone.page.waitForFunction(() => document.querySelector<HTMLElement>('#calibration')?.dataset.recording === undefined, null, { timeout: 15_000 });
      }
      // The server counted labelled windows of both.
      await expect
        .poll(async () => phone.page.locator('#calibration-collected li').allTextContents(), { timeout: 10_000 })
        .toEqual([expect.stringMatching(/^walking: \d+ windows/), expect.stringMatching(/^standing: \d+ windows/)]);
      await phone.page.getByRole('button', { name: 'Personalise' }).click();
      await expect.poll(async () => phone.page.locator('#calibration-state').textContent(), { timeout: 15_000 }).toMatch(/personal model \(taught walking, standing\)/);
      expect(await phone.page.locator('#calibration-notice').textContent()).toMatch(/Personal model ready \(fitted in [\d.]+ s\)/);
      await expect.poll(async () => phone.page.locator('#model-source').textContent(), { timeout: 10_000 }).toBe('your personal model');
      expect(await readdir(personalDir)).toEqual(['teach-phone.json']);

      // The dashboard marks the device as personalised.
      await dash.page.goto(`${fx.server.url}/`);
      const badge = dash.page.locator('#device-table tr[data-device="teach-phone"] .personal-badge');
      await badge.waitFor({ timeout: 10_000 });
      expect(await badge.textContent()).toBe('personal');

      await screenshot(phone.page, 'phone-personalised');
      expect(await unlabelledControls(phone.page)).toEqual([]);
      expect(await lowContrastText(phone.page)).toEqual([]);

      await phone.page.getByRole('button', { name: 'Reset to shared model' }).click();
      await expect.poll(async () => phone.page.locator('#calibration-state').textContent(), { timeout: 10_000 }).toBe('This phone uses the shared model.');
      await expect.poll(async () => phone.page.locator('#model-source').textContent(), { timeout: 10_000 }).toBe('shared model');
      await badge.waitFor({ state: 'detached', timeout: 10_000 });
      expect(await readdir(personalDir)).toEqual([]);

      // Remembered for the next visit.
      await phone.page.reload();
      expect(await phone.page.getByRole('button', { name: 'Trouser pocket' }).getAttribute('aria-pressed')).toBe('true');
      expect(phone.errors).toEqual([]);
      expect(dash.errors).toEqual([]);
    } finally {
      await phone.context.close();
      await dash.context.close();
    }
  }, 120_000);
});
