// `npm start -- --backend webgpu` (here on SwiftShader, found by the server itself): the backend
// line and /api/health name the backend and the adapter, a device streaming a recording gets
// predictions and a writer gets word suggestions (served with data(), never dataSync(), which
// webgpu cannot do in Node).
import { afterAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '../server/child-server.js';
import { labelledRecording, TestClient, toFrames } from '../server/helpers.js';
import type { TextServerMessage } from '../../protocol/text-messages.js';
import { webgpuSkipReason } from './webgpu-env.js';

let child: ChildServer | undefined;
afterAll(() => {
  child?.proc.kill('SIGKILL');
});

describe.skipIf(webgpuSkipReason() !== undefined)('server on webgpu', () => {
  it('starts with --backend webgpu, reports the adapter, serves predictions and text suggestions', async () => {
    // No VK_ICD_FILENAMES: the server looks for a driver itself (here: Chromium's SwiftShader).
    child = await startChildServer(['--backend', 'webgpu'], { VK_ICD_FILENAMES: '' }, 90_000);
    expect(child.stderr()).toMatch(/tfjs backend: webgpu \[/);

    const health = (await (await fetch(`${child.url}/api/health`)).json()) as { backend: string; adapter?: Record<string, unknown> };
    expect(health.backend).toBe('webgpu');
    expect(health.adapter).toMatchObject({ vendor: expect.any(String), architecture: expect.any(String), fallback: expect.any(Boolean) });

    const device = await TestClient.connect(child.wsUrl('/ws/device'));
    device.send({ type: 'hello', deviceId: 'webgpu-test', rateHz: 50, units: 'g' });
    await device.count('welcome', 1);
    for (const f of toFrames(labelledRecording([['walking', 4]]), 25, false)) device.send(f);
    await device.count('prediction', 1); // 4 s at 50 Hz: windows of 2.56 s every 1.28 s
    const [prediction] = device.of('prediction') as { probs?: number[]; activity?: string }[];
    expect(prediction).toBeDefined();
    expect(device.of('error')).toEqual([]);
    await device.close();

    // The text service's batched LSTM step (server/text/step-batcher.ts) on webgpu: a typed
    // prefix gets completions of its word and next words from the committed word model.
    const writer = await TestClient.connect(child.wsUrl('/ws/text'));
    writer.send({ type: 'start', k: 3 });
    await writer.count('ready', 1, 60_000);
    writer.send({ type: 'edit', seq: 1, insert: 'the whale and the s' });
    await writer.count('suggestions', 1, 60_000);
    const [s] = writer.of('suggestions') as unknown as Extract<TextServerMessage, { type: 'suggestions' }>[];
    expect(s!.prefix).toBe('s');
    expect(s!.completions.length).toBeGreaterThan(0);
    for (const c of s!.completions) expect(c.word.startsWith('s')).toBe(true);
    expect(s!.next).toHaveLength(3);
    expect(writer.of('error')).toEqual([]);
    await writer.close();
  }, 120_000);
});
