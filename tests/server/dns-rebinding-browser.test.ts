// DNS rebinding in a real browser: Chromium resolves attacker.example to 127.0.0.1 (as a rebound
// DNS answer would), the attacker's page comes from attacker.example:PORT, and its same-origin
// fetch and WebSocket then reach the Sensorium server. With the Host allow-list they get 421;
// the control run with every Host allowed (the behaviour before the allow-list) shows the page
// really does read the recordings that way. Chromium's own Private Network Access check (a
// page of unknown address calling loopback) is turned off, as browsers without it behave
// (Firefox, Safari): the server must not rely on the browser for this.
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigOverrides } from '../../server/config.js';
import { CHROMIUM_PATH, skipBrowserTests } from '../client/support/browser.js';
import { startTestServer } from './helpers.js';

const runBrowser = !skipBrowserTests();
let browser: Browser;
beforeAll(async () => {
  if (!runBrowser) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--host-resolver-rules=MAP attacker.example 127.0.0.1',
      '--disable-features=BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults,LocalNetworkAccessChecks',
    ],
  });
}, 60_000);
afterAll(() => browser?.close());

/** What the attacker's page on attacker.example:PORT manages to do against the server on PORT. */
async function attack(overrides: ConfigOverrides): Promise<{ status: number; body: string; socket: string }> {
  const srv = await startTestServer(overrides);
  const port = new URL(srv.url).port;
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    // The attacker's own server served this page before the name was rebound.
    await page.route(`http://attacker.example:${port}/evil.html`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>cute cats</title>' }));
    await page.goto(`http://attacker.example:${port}/evil.html`);
    return await page.evaluate(async () => {
      const res = await fetch('/api/recordings');
      const body = await res.text();
      const socket = await new Promise<string>((resolve) => {
        const ws = new WebSocket(`ws://${location.host}/ws/dashboard`);
        ws.onopen = () => (ws.close(), resolve('open'));
        ws.onerror = () => resolve('refused');
      });
      return { status: res.status, body, socket };
    });
  } finally {
    await context.close();
    await srv.close();
  }
}

describe.skipIf(!runBrowser)('DNS rebinding from a real browser page', () => {
  it('the rebound page gets 421 from the API and cannot open a WebSocket', async () => {
    const result = await attack({});
    expect(result.status).toBe(421);
    expect(JSON.parse(result.body).error).toBe('misdirected-request');
    expect(result.socket).toBe('refused');
  }, 60_000);

  it('control: with every Host allowed (as before the allow-list) the same page reads the recordings', async () => {
    const result = await attack({ allowedHosts: ['*'] });
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toHaveProperty('recordings');
    expect(result.socket).toBe('open');
  }, 60_000);
});
