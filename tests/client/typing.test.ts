// The typing page in Chromium against the real text plugin: suggestions while typing, Tab and
// click to accept (and Tab leaving the editor when there is nothing new to accept), latency
// shown, and streamed generation with its settings.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureClientBuild } from '../../client/scripts/ensure-build.js';
import { launchBrowser, openPage, screenshot, withoutStreamedReadAborts, skipBrowserTests } from './support/browser.js';
import { startTextTestServer, type TextTestServer } from './support/text-server.js';
import { expectCleanPage } from './support/page-check.js';

let server: TextTestServer;
let browser: Browser;

beforeAll(async () => {
  await ensureClientBuild();
  server = await startTextTestServer();
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe.skipIf(skipBrowserTests())('typing page', () => {
  it('suggests words as you type; Tab and click accept; Tab does not trap focus', async () => {
    const { page, context, errors } = await openPage(browser);
    try {
      await page.goto(`${server.url}/typing/`);
      await expect.poll(async () => page.locator('#model-info').textContent(), { timeout: 15_000 }).toMatch(/english-word: word model, \d+ tokens/);
      const editor = page.getByLabel('Your text');
      await editor.click();
      await page.keyboard.type('the whale and the ', { delay: 40 });
      const chips = page.locator('#suggestion-list button');
      await expect.poll(async () => chips.count(), { timeout: 10_000 }).toBeGreaterThan(0);
      await expect.poll(async () => page.locator('#suggestion-kind').textContent()).toBe('next word:');
      expect(await page.locator('#latency').textContent()).toMatch(/suggestions in \d+ ms \(model [\d.]+ ms, \d+ tokens of context\)/);

      // Tab accepts the first suggestion...
      const first = await chips.first().getAttribute('data-word');
      await page.keyboard.press('Tab');
      expect(await editor.inputValue()).toBe(`the whale and the ${first} `);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('editor');
      // ...and with nothing typed since, the next Tab moves on (no focus trap).
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.id)).not.toBe('editor');

      // A typed prefix gets completions of that prefix; clicking one completes the word.
      await editor.click();
      await page.keyboard.press('End');
      await page.keyboard.type('s', { delay: 40 });
      await expect.poll(async () => page.locator('#suggestion-kind').textContent(), { timeout: 10_000 }).toBe('completing “s”:');
      const words = await chips.evaluateAll((bs) => bs.map((b) => b.getAttribute('data-word') ?? ''));
      expect(words.length).toBeGreaterThan(0);
      for (const w of words) expect(w.toLowerCase().startsWith('s')).toBe(true);
      await chips.nth(words.length - 1).click();
      expect(await editor.inputValue()).toBe(`the whale and the ${first} ${words[words.length - 1]} `);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('editor');
      // A comma typed next takes the place of the space the acceptance added.
      await page.keyboard.type(', ', { delay: 40 });
      expect(await editor.inputValue()).toBe(`the whale and the ${first} ${words[words.length - 1]}, `);

      // Escape hides the suggestions.
      await page.keyboard.type('a', { delay: 40 });
      await expect.poll(async () => chips.count(), { timeout: 10_000 }).toBeGreaterThan(0);
      await page.keyboard.press('Escape');
      expect(await chips.count()).toBe(0);
      await page.keyboard.type('nd ', { delay: 40 });
      await expect.poll(async () => chips.count(), { timeout: 10_000 }).toBeGreaterThan(0);
      await expectCleanPage(page, 'typing-suggestions', errors);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('streams generated text with the chosen model, temperature and length', async () => {
    const { page, context, errors } = await openPage(browser);
    try {
      await page.goto(`${server.url}/typing/`);
      await expect.poll(async () => page.locator('#gen-model').inputValue(), { timeout: 10_000 }).toBe('shakespeare-char');
      await page.getByLabel('Prompt').fill('ROMEO:\n');
      await page.getByLabel(/Temperature/).fill('0.5');
      expect(await page.locator('#gen-temperature-value').textContent()).toBe('0.50');
      await page.getByLabel('Length (tokens)').fill('60');
      await page.getByRole('button', { name: 'Generate' }).click();
      await expect.poll(async () => page.locator('#gen-status').textContent(), { timeout: 30_000 }).toMatch(/^60 tokens in [\d.]+ s \(\d+ tokens\/s, first after \d+ ms\)$/);
      const generated = (await page.locator('#gen-output .generated').textContent()) ?? '';
      expect(generated.length).toBe(60); // a character model: one character per token
      expect(await page.locator('#gen-output').textContent()).toBe(`ROMEO:\n${generated}`);
      expect(await page.getByRole('button', { name: 'Generate' }).isEnabled()).toBe(true);
      expect(await page.getByRole('button', { name: 'Stop' }).isDisabled()).toBe(true);

      // Out-of-range length is refused in the page, before any request.
      await page.getByLabel('Length (tokens)').fill('100000');
      await page.getByRole('button', { name: 'Generate' }).click();
      expect(await page.locator('#gen-status').textContent()).toMatch(/Length must be a whole number from 1 to 500/);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('gen-length');
      await screenshot(page, 'typing-generation');
      // The page got all 60 tokens and the done line (checked above).
      expect(withoutStreamedReadAborts(errors, '/api/text/generate')).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
