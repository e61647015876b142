// The recordings page in Chromium against the real server (recording enabled, files in a
// temporary folder): simulated devices stream over the real device protocol
// (simulators/device-client.ts); the page starts and stops recording one from the keyboard,
// lists the file with its figures, downloads it, gives the replay command, and notices a
// recording that ends because its device left.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBytes, formatCount } from '../../client/src/pages/recordings/format.js';
import type { RecordingFrame } from '../../protocol/recording-format.js';
import { DeviceClient } from '../../simulators/device-client.js';
import { SyntheticPhone } from '../../simulators/synthetic-phone.js';
import { openPage, skipBrowserTests } from './support/browser.js';
import { startBrowserFixture, type BrowserFixture } from './support/setup.js';
import { expectCleanPage } from './support/page-check.js';

let fx: BrowserFixture;
let dir: string;
const streams: { client: DeviceClient; timer: ReturnType<typeof setInterval> }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'client-recordings-'));
  fx = await startBrowserFixture({ recording: { all: false, dir, flushMs: 100 } });
}, 180_000);

afterAll(async () => {
  for (const s of streams) clearInterval(s.timer);
  await Promise.all(streams.map((s) => s.client.close()));
  await fx?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A synthetic walker streaming in real time: 5 samples (100 ms at 50 Hz) per frame. */
async function streamDevice(deviceId: string): Promise<{ client: DeviceClient; stop(): Promise<void> }> {
  const phone = new SyntheticPhone({ seed: deviceId.length, rateHz: 50, startTimeMs: Date.now(), script: [{ activity: 'walking', seconds: 3600 }] });
  const client = await DeviceClient.connect({ url: `${fx.server.wsUrl}/ws/device`, hello: { deviceId, rateHz: 50, units: 'g', source: 'simulator', hasLabels: true } });
  const timer = setInterval(() => client.send(phone.next(5)), 100);
  const entry = { client, timer };
  streams.push(entry);
  return {
    client,
    async stop() {
      clearInterval(timer);
      await client.close();
    },
  };
}

/** Samples in a recording file, counted from its lines. */
async function samplesInFile(file: string): Promise<number> {
  const lines = (await readFile(file, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string });
  return lines.filter((l): l is RecordingFrame => l.kind === 'samples').reduce((s, f) => s + f.t.length, 0);
}

describe.skipIf(skipBrowserTests())('recordings page', () => {
  it('starts and stops a recording from the keyboard, lists, downloads and explains replay', async () => {
    await streamDevice('rec-sim-1');
    const second = await streamDevice('rec-sim-2');
    const { page, context, errors } = await openPage(fx.browser, { viewport: { width: 1280, height: 1000 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: fx.server.url });
    try {
      await page.goto(`${fx.server.url}/recordings/`);
      expect(await page.locator('nav a[aria-current="page"]').textContent()).toBe('Recordings');
      await page.waitForFunction(() => document.querySelectorAll('#rec-device-table tbody tr').length === 2, null, { timeout: 10_000 });
      expect(await page.locator('#rec-empty').isVisible()).toBe(true);
      expect(await page.locator('#rec-device-table tr[data-device="rec-sim-1"] td').allTextContents()).toEqual(expect.arrayContaining(['simulator', '50 Hz', 'not recording']));

      // Start from the keyboard; the button keeps the focus and turns into Stop.
      const toggle = page.getByRole('button', { name: 'Start recording rec-sim-1' });
      await toggle.focus();
      await page.keyboard.press('Enter');
      const liveRow = page.locator('#rec-table tbody tr.live');
      await liveRow.waitFor({ timeout: 10_000 });
      const id = (await liveRow.getAttribute('data-recording'))!;
      expect(id).toMatch(/^rec-sim-1_\d{4}-\d\d-\d\dT/);
      await expect.poll(() => page.evaluate(() => document.activeElement?.textContent), { timeout: 5000 }).toBe('Stop recording rec-sim-1');
      // Live figures from the server, refreshed by polling.
      await expect.poll(async () => Number(((await liveRow.locator('td').nth(2).textContent()) ?? '').replace(/,/g, '')), { timeout: 10_000 }).toBeGreaterThan(100);
      expect(await page.locator('#rec-device-table tr[data-device="rec-sim-1"] td.recording').textContent()).toMatch(/^recording · 0:\d\d · [\d,]+ samples$/);
      expect(await liveRow.locator('td').nth(4).textContent()).toBe('recording');

      await page.keyboard.press('Enter'); // Stop
      const row = page.locator(`#rec-table tr[data-recording="${id}"]`);
      await expect.poll(() => row.locator('td').nth(4).textContent(), { timeout: 10_000 }).toBe('finished (stopped over HTTP), labelled');
      const file = join(dir, `${id}.ndjson`);
      const samples = await samplesInFile(file);
      expect(samples).toBeGreaterThan(100);
      const cells = await row.locator('td').allTextContents();
      expect(cells[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      expect(cells[1]).toMatch(/^0:(0[2-9]|[1-5]\d)$/); // streamed for a few seconds
      expect(cells[2]).toBe(formatCount(samples));
      expect(cells[3]).toBe(formatBytes(statSync(file).size));
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Start recording rec-sim-1');

      // Download: the very bytes on the server's disk.
      const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: /^Download rec-sim-1/ }).click()]);
      expect(download.suggestedFilename()).toBe(`${id}.ndjson`);
      expect(readFileSync((await download.path())!, 'utf8')).toBe(readFileSync(file, 'utf8'));

      // Replay: no server route, so the page gives the command for this very file.
      await row.getByRole('button', { name: /^Replay rec-sim-1/ }).click();
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('replay-heading');
      const command = (await page.locator('[data-replay="score"] code').textContent())!;
      expect(command).toBe(`npm run simulate -- replay --format recording --data ${file}`);
      expect(existsSync(command.split('--data ')[1]!)).toBe(true);
      expect(await page.locator('[data-replay="stream"] code').textContent()).toBe(`${command} --url ${fx.server.wsUrl}/ws/device --speed 1`);
      expect(await page.locator('[data-replay="device"]').textContent()).toBe(`replay-${id}`);
      await page.getByRole('button', { name: 'Copy the scoring command' }).click();
      await expect.poll(() => page.locator('[data-replay="copied"]').textContent()).toBe('Command copied to the clipboard.');
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(command);

      // A recording ends with its device's session: the row turns finished, the device leaves.
      await page.getByRole('button', { name: 'Start recording rec-sim-2' }).click();
      await page.locator('#rec-table tr.live[data-recording^="rec-sim-2_"]').waitFor({ timeout: 10_000 });
      await page.waitForTimeout(1000);
      await second.stop();
      const ended = page.locator('#rec-table tr[data-recording^="rec-sim-2_"]');
      await expect.poll(() => ended.locator('td').nth(4).textContent(), { timeout: 10_000 }).toBe('finished (session ended), labelled');
      await expect.poll(() => page.locator('#rec-device-table tbody tr').count()).toBe(1);

      // Record rec-sim-1 again for the picture: one live row above two finished ones.
      await page.getByRole('button', { name: 'Start recording rec-sim-1' }).click();
      await expect.poll(() => page.locator('#rec-table tbody tr').count(), { timeout: 10_000 }).toBe(3);
      await expect.poll(async () => page.locator('#rec-table tbody tr').first().getAttribute('class')).toBe('live');
      await page.waitForTimeout(2500);
      expect(await page.locator('#rec-dir').textContent()).toMatch(new RegExp(`^3 recordings, [\\d.]+ kB, in ${dir} on the server\\.$`));
      await expectCleanPage(page, 'recordings', errors);
    } finally {
      await context.close();
    }
  }, 120_000);
});
