// `SENSORIUM_BACKEND=webgpu npm run eval -- lm` (here on SwiftShader, found by the CLI itself) scores
// the committed word model as WASM does: the same top-1/top-3 and keystroke savings, cross-entropy
// within 1e-4, and its JSON names the backend and the adapter. Each backend runs in its own
// process (tfjs picks one per process), both at once, on the first 200 held-out tokens (32 streams:
// few steps, as SwiftShader is slow).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { webgpuSkipReason } from './webgpu-env.js';

const run = promisify(execFile);

async function evalLm(backend: 'wasm' | 'webgpu'): Promise<Record<string, unknown>> {
  const argv = ['--import', 'tsx', 'models/cli/eval.ts', 'lm', '--model', 'english-word', '--heldout', '--max-tokens', '200', '--streams', '32'];
  // No VK_ICD_FILENAMES: the CLI looks for a driver itself (here: Chromium's SwiftShader).
  const env = { ...process.env, SENSORIUM_BACKEND: backend, VK_ICD_FILENAMES: '' };
  const { stdout } = await run(process.execPath, argv, { env, timeout: 110_000, maxBuffer: 16 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

describe.skipIf(webgpuSkipReason() !== undefined)('npm run eval -- lm on webgpu', () => {
  it('gives the metrics WASM gives and names the adapter', async () => {
    const [wasm, webgpu] = await Promise.all([evalLm('wasm'), evalLm('webgpu')]);
    expect(wasm.backend).toBe('wasm');
    expect(wasm).not.toHaveProperty('adapter');
    expect(webgpu.backend).toBe('webgpu');
    expect(webgpu.adapter).toMatchObject({ vendor: expect.any(String), architecture: expect.any(String), description: expect.any(String), fallback: expect.any(Boolean) });

    expect(webgpu.tokens).toBe(wasm.tokens);
    expect(wasm.tokens as number).toBeGreaterThan(150);
    for (const key of ['top1', 'top3', 'keystrokeSavings', 'nextWord', 'baseline', 'lead']) expect(webgpu[key], key).toEqual(wasm[key]);
    // Both are rounded to 4 digits: equal values may still round 1e-4 apart.
    expect(Math.abs((webgpu.crossEntropy as number) - (wasm.crossEntropy as number))).toBeLessThanOrEqual(1.0001e-4);
    expect(wasm.top3 as number).toBeGreaterThan(0.1); // a trained model, not noise
  }, 120_000);
});
