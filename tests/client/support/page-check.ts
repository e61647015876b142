// How every page test ends: a screenshot to look at, the accessibility basics, no console errors.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { lowContrastText, unlabelledControls } from './a11y.js';
import { screenshot } from './browser.js';

export async function expectCleanPage(page: Page, screenshotName: string, consoleErrors: readonly string[]): Promise<void> {
  await screenshot(page, screenshotName);
  expect(await unlabelledControls(page)).toEqual([]);
  expect(await lowContrastText(page)).toEqual([]);
  expect(consoleErrors).toEqual([]);
}
