// Debian's Chromium driven by playwright-core (never a downloaded browser), plus a page wrapper
// that records console errors and uncaught exceptions so every test can assert there are none.
// Without Chromium the browser tests skip (`describe.skipIf(skipBrowserTests())`), except in CI.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { skipWithout } from '../../helpers/skip-without.js';

export const CHROMIUM_PATH = process.env.SENSORIUM_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_MISSING = `Chromium not found at ${CHROMIUM_PATH} (Debian/Ubuntu: apt-get install chromium; elsewhere set SENSORIUM_CHROMIUM to its path)`;

/**
 * True when the browser tests should be skipped: no Chromium and not in CI. Says why, on stderr.
 * A top-level `describe.skipIf(skipBrowserTests())` also keeps the file's beforeAll from running
 * (Vitest skips the hooks of a file whose every test is skipped).
 */
export function skipBrowserTests(): boolean {
  return skipWithout({ found: existsSync(CHROMIUM_PATH), missing: CHROMIUM_MISSING, tests: 'the browser tests' });
}
export const ARTIFACTS_DIR = fileURLToPath(new URL('../../../test-artifacts/client/', import.meta.url));

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Lets the memory test force a collection (window.gc) before measuring the heap.
  '--js-flags=--expose-gc',
];

export function launchBrowser(): Promise<Browser> {
  // In CI the tests run without it, to fail: with what to install rather than playwright's message.
  if (!existsSync(CHROMIUM_PATH)) return Promise.reject(new Error(CHROMIUM_MISSING));
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** console.error messages, uncaught page errors and failed requests, in order. */
  errors: string[];
}

/** A fresh context and page that records console errors and page errors. */
export async function openPage(browser: Browser, options: { viewport?: { width: number; height: number } } = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  // The console only says "404"; name the resource.
  page.on('response', (res) => {
    if (res.status() >= 400) errors.push(`HTTP ${res.status()} for ${res.url()}`);
  });
  page.on('requestfailed', (req) => errors.push(`request failed: ${req.url()} (${req.failure()?.errorText ?? 'unknown'})`));
  return { page, context, errors };
}

/** Saves a full-page screenshot under test-artifacts/client/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Errors minus `net::ERR_ABORTED` reports for a streamed response read to its end through
 * `response.body.getReader()`: Chromium reports those as failed although the page received
 * every byte (microsoft/playwright#42742). Tests check the page's own result instead.
 */
export function withoutStreamedReadAborts(errors: readonly string[], path: string): string[] {
  return errors.filter((e) => !(e.startsWith('request failed: ') && e.includes(path) && e.endsWith('(net::ERR_ABORTED)')));
}
