// `npm start -- --backend webgpu` (here on SwiftShader, found by the server itself): the backend
// line and /api/health name the backend and the adapter, and a device streaming a recording gets
// predictions (served with data(), never dataSync(), which webgpu cannot do in Node).
import { afterAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '../server/child-server.js';
import { labelledRecording, TestClient, toFrames } from '../server/helpers.js';
import { webgpuSkipReason } from './webgpu-env.js';

let child: ChildServer | undefined;
afterAll(() => {
  child?.proc.kill('SIGKILL');
});

describe.skipIf(webgpuSkipReason() !== undefined)('server on webgpu', () => {
  it('starts with --backend webgpu, reports the adapter and serves predictions', async () => {
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
  }, 120_000);
});
