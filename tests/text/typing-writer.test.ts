// The typing page in Chromium, learning the writer: a name typed twice is offered (marked as
// learned from the writer) the third time, the page keeps its writer id across a reload, and
// "Forget what you learned about me" removes it.
import type { Browser } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureClientBuild } from '../../client/scripts/ensure-build.js';
import { launchBrowser, openPage, screenshot, skipBrowserTests } from '../client/support/browser.js';
import { startTextTestServer, type TextTestServer } from '../client/support/text-server.js';

let server: TextTestServer;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sensorium-page-writers-'));
  await ensureClientBuild();
  server = await startTextTestServer({ writersDir: dir });
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(skipBrowserTests())('typing page: suggestions that learn the writer', () => {
  it('marks a learned name, remembers it after a reload, and forgets it on request', async () => {
    const { page, context } = await openPage(browser);
    try {
      await page.goto(`${server.url}/typing/`);
      await expect.poll(async () => page.locator('#writer-info').textContent(), { timeout: 15_000 }).toMatch(/learn your words as you type \(0 words/);
      const editor = page.getByLabel('Your text');
      await editor.click();
      await page.keyboard.type('the whale met zyxomir, and zyxomir met the whale. then zy', { delay: 5 });
      const learned = page.locator('#suggestion-list button[data-word="zyxomir"]');
      await expect.poll(async () => learned.count(), { timeout: 10_000 }).toBe(1);
      expect(await learned.getAttribute('data-source')).toBe('writer');
      expect(await learned.locator('.learned-mark').count()).toBe(1);
      expect(await learned.getAttribute('aria-label')).toMatch(/learned from your writing/);
      await screenshot(page, 'typing-learned-word');

      // A reload is a new session under the same writer id: the name is remembered.
      await page.reload();
      await expect.poll(async () => page.locator('#writer-info').textContent(), { timeout: 15_000 }).toMatch(/\((?!0 )\d+ words and marks remembered/);
      await editor.click();
      await page.keyboard.type('the sea and zy', { delay: 5 });
      await expect.poll(async () => learned.count(), { timeout: 10_000 }).toBe(1);

      await page.getByRole('button', { name: 'Forget what you learned about me' }).click();
      await expect.poll(async () => page.locator('#writer-info').textContent(), { timeout: 10_000 }).toMatch(/^Forgotten/);
      await editor.focus();
      await page.keyboard.press('Control+End');
      await page.keyboard.press('Backspace');
      await expect.poll(async () => page.locator('#suggestion-kind').textContent(), { timeout: 10_000 }).toBe('completing “z”:');
      await page.keyboard.type('y', { delay: 5 });
      await expect.poll(async () => page.locator('#suggestion-kind').textContent(), { timeout: 10_000 }).toBe('completing “zy”:');
      // Before the forget the name stays offered for "zy"; after it, it goes.
      await expect.poll(async () => learned.count(), { timeout: 10_000 }).toBe(0);
    } finally {
      await context.close();
    }
  });
});
