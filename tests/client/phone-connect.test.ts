// "Connect a phone" in Chromium: a server on 0.0.0.0 with HTTPS (self-signed, kept in a temp
// folder) and tokens shows the phone page's LAN URL as a QR code on the dashboard. With an admin
// token the link carries that token and really opens the phone page over the LAN address; with a
// viewer token (which may not stream) the link carries no token and the panel says what is
// missing; a page without a token learns nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureClientBuild } from '../../client/scripts/ensure-build.js';
import { launchBrowser, screenshot, skipBrowserTests } from './support/browser.js';
import { decodeQr } from './support/qr-decode.js';
import { startTestServer, type TestServer } from './support/server.js';

const ADMIN = 'admin-token-for-the-connect-panel-test';
const VIEWER = 'viewer-token-for-the-connect-panel-test';
const DEVICE = 'device-token-for-the-connect-panel-test';
const lanIpv4 = Object.values(networkInterfaces())
  .flatMap((list) => list ?? [])
  .filter((a) => a.family === 'IPv4' && !a.internal)
  .map((a) => a.address);

let server: TestServer | undefined;
let browser: Browser | undefined;
let base = '';
const dir = mkdtempSync(join(tmpdir(), 'sensorium-connect-'));

beforeAll(async () => {
  if (lanIpv4.length === 0) return;
  await ensureClientBuild();
  server = await startTestServer({ host: '0.0.0.0', tls: { selfSigned: true, dir }, authTokens: [`admin:${ADMIN}`, `viewer:${VIEWER}`, `device:${DEVICE}`] });
  base = `https://127.0.0.1:${new URL(server.url).port}`;
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A page that accepts the self-signed certificate, recording its errors. */
async function securePage(): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
  const context = await browser!.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return { page, errors, close: () => context.close() };
}

describe.skipIf(lanIpv4.length === 0 || skipBrowserTests())('connect a phone (this machine has a LAN IPv4 address)', () => {
  it('shows QR codes of the LAN phone URL with a streaming token, and that URL opens the phone page', async () => {
    const { page, errors, close } = await securePage();
    try {
      await page.goto(`${base}/?token=${ADMIN}`);
      const panel = page.locator('#connect-phone');
      await panel.waitFor({ state: 'visible', timeout: 15_000 });
      const links = panel.locator('.phone-link a');
      const hrefs = await links.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
      const port = new URL(base).port;
      expect(hrefs).toEqual(lanIpv4.map((ip) => `https://${ip}:${port}/phone/?token=${ADMIN}`));
      // The token is in the code and the link, not printed on screen.
      expect(await links.first().textContent()).toBe(`https://${lanIpv4[0]}:${port}/phone/?token=…`);
      const img = panel.locator('.phone-link img').first();
      expect(await img.getAttribute('alt')).toContain(`https://${lanIpv4[0]}:${port}/phone/`);
      // Read back as a phone camera would: the code decodes to the link's URL, token included.
      const pixels = await img.evaluate((i: HTMLImageElement) => {
        const canvas = document.createElement('canvas');
        canvas.width = 400;
        canvas.height = 400;
        const ctx = canvas.getContext('2d')!;
        ctx.imageSmoothingEnabled = false;
        ctx.drawImage(i, 0, 0, 400, 400);
        return Array.from(ctx.getImageData(0, 0, 400, 400).data);
      });
      expect(decodeQr(Uint8ClampedArray.from(pixels), 400, 400)).toBe(hrefs[0]);
      expect(await panel.locator('[data-connect="note"]').textContent()).toMatch(/includes your token/);
      await screenshot(page, 'dashboard-connect-phone');

      // The phone's view: the LAN URL itself (not loopback) serves the phone page with that token.
      await page.goto(hrefs[0]!);
      await page.locator('#start').waitFor({ timeout: 15_000 });
      expect(await page.title()).toMatch(/Phone/);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  }, 120_000);

  it('gives a viewer the URL without a token (a viewer may not stream), and a page without a token nothing', async () => {
    const { page, close } = await securePage();
    try {
      await page.goto(`${base}/?token=${VIEWER}`);
      const panel = page.locator('#connect-phone');
      await panel.waitFor({ state: 'visible', timeout: 15_000 });
      const href = await panel.locator('.phone-link a').first().getAttribute('href');
      expect(href).toBe(`https://${lanIpv4[0]}:${new URL(base).port}/phone/`);
      expect(await panel.locator('[data-connect="note"]').textContent()).toMatch(/device token/);
      // Fresh requests (no cookie from the page): no token, and a device token (not a viewer).
      const api = await request.newContext({ ignoreHTTPSErrors: true });
      try {
        for (const token of [undefined, DEVICE]) {
          const res = await api.get(`${base}/api/phone-link`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
          expect(res.status()).toBe(token ? 403 : 401);
          expect(await res.text()).not.toContain(ADMIN);
        }
      } finally {
        await api.dispose();
      }
    } finally {
      await close();
    }
  }, 60_000);
});
