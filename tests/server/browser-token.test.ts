// With tokens, the browser client works unchanged when its page is opened with ?token=: the
// server sets the token cookie, and the page's own fetches and WebSocket carry it. Without it,
// the page is refused with 401. (Chromium via the client tests' support code.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, skipBrowserTests } from '../client/support/browser.js';
import { installFakeMotion } from '../client/support/fake-motion.js';
import { startBrowserFixture, type BrowserFixture } from '../client/support/setup.js';

const TOKEN = 'browser-token-123';
const runBrowser = !skipBrowserTests();
let fx: BrowserFixture;
beforeAll(async () => {
  if (runBrowser) fx = await startBrowserFixture({ authTokens: [TOKEN] });
}, 180_000);
afterAll(() => fx?.close());

describe.skipIf(!runBrowser)('the phone page on a server with tokens', () => {
  it('is refused without a token and streams when opened with ?token=', async () => {
    const denied = await openPage(fx.browser);
    const res = await denied.page.goto(`${fx.server.url}/phone/`);
    expect(res?.status()).toBe(401);
    await denied.context.close();

    const phone = await openPage(fx.browser, { viewport: { width: 390, height: 844 } });
    try {
      await installFakeMotion(phone.page, { activity: 'walking', permission: 'granted' });
      const ok = await phone.page.goto(`${fx.server.url}/phone/?id=token-phone&token=${TOKEN}`);
      expect(ok?.status()).toBe(200);
      const cookies = await phone.context.cookies();
      expect(cookies.find((c) => c.name === 'sensorium_token')).toMatchObject({ value: TOKEN, httpOnly: true, sameSite: 'Strict' });
      await phone.page.getByRole('button', { name: 'Start' }).click();
      await phone.page.waitForFunction(() => (document.querySelector<HTMLElement>('#current-label')?.dataset.label ?? '') !== '', null, { timeout: 20_000 });
      const health = await fetch(`${fx.server.url}/api/health`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.json());
      expect(health.devicesConnected).toBe(1);
    } finally {
      await phone.context.close();
    }
  }, 60_000);
});
