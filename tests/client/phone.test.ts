// The phone page in Chromium with a fake accelerometer: Start streams DeviceMotion samples over
// the real device protocol (hello in m/s² from source 'phone'), labels come back, the
// dashboard sees the phone; a dropped link resumes the server's session without losing a window;
// and the page explains itself when motion cannot work.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceClient } from '../../simulators/device-client.js';
import { openPage, screenshot, skipBrowserTests } from './support/browser.js';
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

describe.skipIf(skipBrowserTests())('phone page', () => {
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

  it('resumes its session after a dropped link: lastWindowEnd in the hello, no window lost or repeated', async () => {
    // The server side of each device connection, to drop links without a close frame (1006),
    // as when a phone loses its network.
    const links: Duplex[] = [];
    const onUpgrade = (req: IncomingMessage, socket: Duplex) => {
      if (req.url?.startsWith('/ws/device')) links.push(socket);
    };
    fx.server.server.app.server.on('upgrade', onUpgrade);
    const { page, context, errors } = await openPage(fx.browser, { viewport: PHONE_VIEWPORT });
    const conns = recordDeviceSockets(page);
    const predictions = (i: number) => (conns[i]?.received ?? []).filter((m) => m.type === 'prediction');
    const welcomeOf = (i: number) => conns[i]?.received.find((m) => m.type === 'welcome');
    const notice = page.locator('#phone-notice');
    try {
      await installFakeMotion(page, { activity: 'walking' });
      await page.goto(`${fx.server.url}/phone/?id=test-phone-resume&encoding=json`);
      await page.getByRole('button', { name: 'Start' }).click();
      await expect.poll(() => predictions(0).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);

      links.at(-1)!.destroy();
      await expect.poll(() => welcomeOf(1), { timeout: 10_000 }).toBeDefined();
      const [hello1, hello2] = [conns[0]!.sent[0]!, conns[1]!.sent[0]!];
      expect(hello1).toMatchObject({ type: 'hello', deviceId: 'test-phone-resume' });
      expect(hello1.lastWindowEnd).toBeUndefined();
      // The last prediction that reached the page, and the session's rate (else no resume).
      expect(hello2).toMatchObject({ type: 'hello', lastWindowEnd: predictions(0).at(-1)!.windowEnd, rateHz: hello1.rateHz });
      expect(welcomeOf(1)!.resumed).toBe(true);
      expect(await notice.textContent()).toMatch(/resumed this phone's session/);
      await expect.poll(() => conns[1]!.sent.find((m) => m.type === 'samples')?.seq, { timeout: 5000 }).toBe(0);

      // One window per hop (64 samples at 50 Hz) across the drop: the samples read while offline
      // filled the gap, and whatever the server classified meanwhile was re-sent, once.
      await expect.poll(() => predictions(1).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
      const ends = [...predictions(0), ...predictions(1)].map((p) => p.windowEnd as number);
      const steps = ends.slice(1).map((end, i) => end - ends[i]!);
      for (const step of steps) expect(Math.abs(step - 1280)).toBeLessThan(25);
      // The page counted each of them once.
      const shownCount = async () => Number(((await page.locator('#counters').textContent()) ?? '').match(/(\d+) predictions · resumed 1×/)?.[1]);
      await expect.poll(async () => (await shownCount()) - predictions(0).length - predictions(1).length, { timeout: 5000 }).toBe(0);
      await screenshot(page, 'phone-resumed');

      // Back too soon: the server still holds the old link (here: another client took the
      // session over). The page retries instead of giving up, then starts a new session.
      links.at(-1)!.destroy();
      const squatter = await DeviceClient.connect({
        url: `${fx.server.wsUrl}/ws/device`,
        hello: { deviceId: 'test-phone-resume', rateHz: hello1.rateHz!, units: 'm/s2', source: 'phone' },
      });
      await expect.poll(() => notice.textContent(), { timeout: 10_000 }).toMatch(/still holds this phone's previous connection.*Trying again in 1 s/);
      expect(conns[2]!.received.find((m) => m.type === 'error')).toMatchObject({ code: 'id-in-use' });
      expect(await page.getByRole('button', { name: 'Stop' }).isEnabled()).toBe(true);
      await squatter.close(); // a clean close ends the session at once
      await expect.poll(() => welcomeOf(3), { timeout: 15_000 }).toBeDefined();
      expect(welcomeOf(3)!.resumed).toBeUndefined();
      expect(await notice.textContent()).toMatch(/Reconnected as a new session/);
      await expect.poll(() => predictions(3).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
      expect(await page.locator('#current-label').getAttribute('data-label')).toBe(predictions(3).at(-1)!.label);
      expect(errors).toEqual([]);
    } finally {
      fx.server.server.app.server.off('upgrade', onUpgrade);
      await context.close();
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

type Message = Record<string, unknown> & { type?: string; windowEnd?: number; lastWindowEnd?: number; rateHz?: number; label?: string; seq?: number };

/** What the page sent and received on each of its /ws/device connections (JSON frames), in order. */
function recordDeviceSockets(page: Page): { sent: Message[]; received: Message[] }[] {
  const conns: { sent: Message[]; received: Message[] }[] = [];
  page.on('websocket', (ws) => {
    if (!ws.url().endsWith('/ws/device')) return;
    const conn = { sent: [] as Message[], received: [] as Message[] };
    conns.push(conn);
    const parse = (payload: string | Buffer) => (typeof payload === 'string' ? (JSON.parse(payload) as Message) : { type: 'binary' });
    ws.on('framesent', (f) => conn.sent.push(parse(f.payload)));
    ws.on('framereceived', (f) => conn.received.push(parse(f.payload)));
  });
  return conns;
}
