// The phone page in Chromium with a fake accelerometer: Start streams DeviceMotion samples over
// the real device protocol (hello in m/s² from source 'phone'), labels come back, the
// dashboard sees the phone; and the page explains itself when motion cannot work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, screenshot } from './support/browser.js';
import { lowContrastText, unlabelledControls } from './support/a11y.js';
import { installFakeMotion } from './support/fake-motion.js';
import { startBrowserFixture, type BrowserFixture } from './support/setup.js';

const PHONE_VIEWPORT = { width: 390, height: 844 };
let fx: BrowserFixture;

beforeAll(async () => {
  fx = await startBrowserFixture();
}, 180_000);

afterAll(async () => {
  await fx?.close();
});

describe('phone page', () => {
  it('streams fake DeviceMotion, shows live labels, and appears on the dashboard', async () => {
    const phone = await openPage(fx.browser, { viewport: PHONE_VIEWPORT });
    const dash = await openPage(fx.browser);
    try {
      await installFakeMotion(phone.page, { activity: 'walking', permission: 'granted' });
      await phone.page.goto(`${fx.server.url}/phone/?id=test-phone-1`);
      expect(await phone.page.locator('#support-notice').isHidden()).toBe(true);
      expect(await phone.page.locator('#device-id').textContent()).toBe('test-phone-1');

      await phone.page.getByRole('button', { name: 'Start' }).click();
      // iOS path: the permission request ran from the click.
      expect(await phone.page.evaluate(() => (window as unknown as { __motion: { permissionRequests: number } }).__motion.permissionRequests)).toBe(1);
      await phone.page.waitForFunction(() => (document.querySelector<HTMLElement>('#current-label')?.dataset.label ?? '') !== '', null, { timeout: 20_000 });
      const label = await phone.page.locator('#current-label').getAttribute('data-label');
      expect(['walking', 'upstairs', 'downstairs', 'sitting', 'standing', 'lying']).toContain(label);
      const counters = (await phone.page.locator('#counters').textContent()) ?? '';
      const framesSent = Number(counters.match(/(\d+) frames sent/)?.[1]);
      const samplesRead = Number(counters.match(/(\d+) samples read/)?.[1]);
      expect(framesSent).toBeGreaterThan(10); // ~5 frames/s for > 2.5 s
      // A window is 2.56 s of device time (the counter line lags by up to one 200-ms flush).
      expect(samplesRead).toBeGreaterThan(100);
      expect(counters).toMatch(/\(50 Hz\)/); // rate from DeviceMotionEvent.interval
      expect(await phone.page.locator('#probs canvas').getAttribute('aria-label')).toMatch(/walking \d+%/);

      // The dashboard lists it as a phone streaming in m/s².
      await dash.page.goto(`${fx.server.url}/`);
      const row = dash.page.locator('#device-table tr[data-device="test-phone-1"]');
      await row.waitFor({ timeout: 10_000 });
      const cells = await row.locator('td').allTextContents();
      expect(cells).toContain('phone');
      expect(cells).toContain('m/s²');
      expect(cells).toContain('50 Hz');
      await dash.page.waitForFunction(() => Number(document.querySelector<HTMLElement>('[data-detail="signal"]')?.dataset.samples) > 20, null, { timeout: 10_000 });

      // A second tab under the same id is refused and stops instead of retrying forever.
      const twin = await openPage(fx.browser, { viewport: PHONE_VIEWPORT });
      try {
        await installFakeMotion(twin.page, { activity: 'walking' });
        await twin.page.goto(`${fx.server.url}/phone/?id=test-phone-1`);
        await twin.page.getByRole('button', { name: 'Start' }).click();
        await expect.poll(async () => twin.page.locator('#phone-notice').textContent(), { timeout: 10_000 }).toMatch(/already connected.*\?id=another-name/);
        expect(await twin.page.getByRole('button', { name: 'Start' }).isEnabled()).toBe(true);
        expect(twin.errors).toEqual([]);
      } finally {
        await twin.context.close();
      }

      await phone.page.waitForTimeout(2000);
      await screenshot(phone.page, 'phone-streaming');
      expect(await unlabelledControls(phone.page)).toEqual([]);
      expect(await lowContrastText(phone.page)).toEqual([]);
      await screenshot(dash.page, 'dashboard-with-phone');

      await phone.page.getByRole('button', { name: 'Stop' }).click();
      expect(await phone.page.locator('#current-label').textContent()).toBe('stopped');
      expect(await phone.page.evaluate(() => document.activeElement?.id)).toBe('start');
      // The server drops the device from its list once the socket closes; the dashboard keeps
      // the watched device on screen, marked offline.
      await expect.poll(async () => row.locator('td').first().textContent(), { timeout: 10_000 }).toBe('offline');
      expect(await dash.page.locator('#detail-heading').textContent()).toBe('test-phone-1 (offline)');
      expect(phone.errors).toEqual([]);
      expect(dash.errors).toEqual([]);
    } finally {
      await phone.context.close();
      await dash.context.close();
    }
  }, 120_000);

  it('says why it cannot stream: insecure page, no DeviceMotion API, permission denied', async () => {
    const cases: { name: string; setup: string; expectText: RegExp; where: '#support-notice' | '#phone-notice'; click: boolean }[] = [
      { name: 'insecure', setup: "Object.defineProperty(window, 'isSecureContext', { value: false })", expectText: /secure page.*https:\/\//s, where: '#support-notice', click: false },
      { name: 'no-api', setup: 'delete window.DeviceMotionEvent', expectText: /no DeviceMotion API/, where: '#support-notice', click: false },
      {
        name: 'denied',
        setup: "DeviceMotionEvent.requestPermission = async () => 'denied'",
        expectText: /Motion access was denied/,
        where: '#phone-notice',
        click: true,
      },
    ];
    for (const c of cases) {
      const { page, context, errors } = await openPage(fx.browser, { viewport: PHONE_VIEWPORT });
      try {
        await page.addInitScript(c.setup);
        await page.goto(`${fx.server.url}/phone/`);
        if (c.click) await page.getByRole('button', { name: 'Start' }).click();
        else expect(await page.getByRole('button', { name: 'Start' }).isDisabled()).toBe(true);
        const notice = page.locator(c.where);
        await expect.poll(async () => notice.textContent()).toMatch(c.expectText);
        expect(await notice.isVisible()).toBe(true);
        await screenshot(page, `phone-${c.name}`);
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    }
  }, 60_000);
});
