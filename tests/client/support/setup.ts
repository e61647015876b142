// Shared set-up of the browser test files: a current client build (built here when missing or
// stale, so a single test file runs on its own), a server on loopback and one Chromium.
import type { Browser } from 'playwright-core';
import { ensureClientBuild } from '../../../client/scripts/ensure-build.js';
import { launchBrowser } from './browser.js';
import { startTestServer, type TestServer } from './server.js';
import type { ConfigOverrides } from '../../../server/config.js';

export interface BrowserFixture {
  server: TestServer;
  browser: Browser;
  close(): Promise<void>;
}

export async function startBrowserFixture(overrides: ConfigOverrides = {}): Promise<BrowserFixture> {
  await ensureClientBuild();
  const server = await startTestServer(overrides);
  let browser: Browser;
  try {
    browser = await launchBrowser();
  } catch (err) {
    await server.close();
    throw err;
  }
  return {
    server,
    browser,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
