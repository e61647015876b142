// Gateway failover of the browser pages, in Chromium against two real servers on loopback: the
// phone page and the dashboard, both served by A and opened with ?servers=A,B, move to B when A
// closes; the phone streams on there (new hello with lastWindowEnd) and the dashboard subscribes
// again and shows it. The header says which server each is connected to.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureClientBuild } from '../../client/scripts/ensure-build.js';
import { launchBrowser, openPage, screenshot, skipBrowserTests } from './support/browser.js';
import { installFakeMotion } from './support/fake-motion.js';
import { startTestServer, type TestServer } from './support/server.js';

let a: TestServer;
let b: TestServer;
let browser: Browser;
let aClosed = false;

beforeAll(async () => {
  await ensureClientBuild();
  a = await startTestServer();
  // A page served by A opens a cross-origin WebSocket to B: B must allow A's origin.
  b = await startTestServer({ allowedOrigins: [a.url] });
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await b?.close();
  if (!aClosed) await a?.close();
});

const hostOf = (server: TestServer) => new URL(server.url).host;
const headerText = (page: Page) => page.locator('.site-header .conn').textContent();

/** Every WebSocket URL the page opened, and the JSON frames it sent on each. */
function recordSockets(page: Page, path: string): { url: string; sent: Record<string, unknown>[] }[] {
  const sockets: { url: string; sent: Record<string, unknown>[] }[] = [];
  page.on('websocket', (ws) => {
    if (!ws.url().endsWith(path)) return;
    const entry = { url: ws.url(), sent: [] as Record<string, unknown>[] };
    sockets.push(entry);
    ws.on('framesent', (f) => {
      if (typeof f.payload === 'string') entry.sent.push(JSON.parse(f.payload) as Record<string, unknown>);
    });
  });
  return sockets;
}

describe.skipIf(skipBrowserTests())('pages with ?servers=A,B', () => {
  it('the phone page and the dashboard move to B when A goes away, and go on there', async () => {
    const servers = `${a.wsUrl},${b.wsUrl}`;
    const phone = await openPage(browser, { viewport: { width: 390, height: 844 } });
    const dash = await openPage(browser);
    try {
      const phoneSockets = recordSockets(phone.page, '/ws/device');
      const dashSockets = recordSockets(dash.page, '/ws/dashboard');
      await installFakeMotion(phone.page, { activity: 'walking', permission: 'granted' });
      await phone.page.goto(`${a.url}/phone/?id=failover-phone&encoding=json&servers=${encodeURIComponent(servers)}`);
      await phone.page.getByRole('button', { name: 'Start' }).click();
      await phone.page.waitForFunction(() => (document.querySelector<HTMLElement>('#current-label')?.dataset.label ?? '') !== '', null, { timeout: 30_000 });
      expect(await headerText(phone.page)).toBe(`server: connected to ${hostOf(a)}`);

      await dash.page.goto(`${a.url}/?servers=${encodeURIComponent(servers)}`);
      await dash.page.locator('#device-table tr[data-device="failover-phone"]').waitFor({ timeout: 15_000 });
      expect(await headerText(dash.page)).toBe(`server: connected to ${hostOf(a)}`);
      expect(phoneSockets.map((s) => s.url)).toEqual([`${a.wsUrl}/ws/device`]);

      const predictionsShown = async () => Number(((await phone.page.locator('#counters').textContent()) ?? '').match(/(\d+) predictions/)?.[1]);
      const beforeClose = await predictionsShown();
      await a.close();
      aClosed = true;

      // The phone: next server in the list, the same device with the last window it saw.
      await expect.poll(() => headerText(phone.page), { timeout: 15_000 }).toBe(`server: connected to ${hostOf(b)}`);
      expect(phoneSockets.map((s) => s.url)).toEqual([`${a.wsUrl}/ws/device`, `${b.wsUrl}/ws/device`]);
      const [hello1, hello2] = [phoneSockets[0]!.sent[0]!, phoneSockets[1]!.sent[0]!];
      expect(hello2).toMatchObject({ type: 'hello', deviceId: 'failover-phone', units: 'm/s2', rateHz: hello1.rateHz });
      expect(typeof hello2.lastWindowEnd).toBe('number');
      // Two independent servers: B starts a new session, and predictions come from B.
      await expect.poll(() => phone.page.locator('#phone-notice').textContent(), { timeout: 10_000 }).toMatch(/Reconnected as a new session/);
      await expect.poll(predictionsShown, { timeout: 30_000 }).toBeGreaterThan(beforeClose);
      expect(b.server.parts.registry.size).toBe(1);

      // The dashboard: reconnected to B, subscribed again, and lists the phone from B.
      await expect.poll(() => headerText(dash.page), { timeout: 15_000 }).toBe(`server: connected to ${hostOf(b)}`);
      expect(dashSockets.map((s) => s.url)).toEqual([`${a.wsUrl}/ws/dashboard`, `${b.wsUrl}/ws/dashboard`]);
      expect(dashSockets[1]!.sent[0]).toEqual({ type: 'subscribe', devices: '*' });
      await dash.page.locator('#device-table tr[data-device="failover-phone"]').waitFor({ timeout: 15_000 });
      await screenshot(phone.page, 'phone-failover');
      await screenshot(dash.page, 'dashboard-failover');
      expect(phone.errors).toEqual([]);
      expect(dash.errors).toEqual([]);
    } finally {
      await phone.context.close();
      await dash.context.close();
    }
  }, 120_000);

  it('warns about an unusable ?servers= and uses its own server', async () => {
    const { page, context, errors } = await openPage(browser);
    try {
      await page.goto(`${b.url}/?servers=ftp://nowhere`);
      await expect
        .poll(() => page.locator('#health-notice').textContent(), { timeout: 10_000 })
        .toMatch(/\?servers= ignored: server 'ftp:\/\/nowhere' must start with ws:\/\/ or wss:\/\/ or http:\/\/ or https:\/\//);
      await expect.poll(() => headerText(page), { timeout: 10_000 }).toBe(`server: connected to ${hostOf(b)}`);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
