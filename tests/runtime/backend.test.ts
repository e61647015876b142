import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError, initBackend, parseBackendChoice } from '../../models/runtime/backend.js';

describe('backend selection', () => {
  it('rejects unknown names with the list of choices', () => {
    expect(() => parseBackendChoice('gpu')).toThrow(/choose one of auto, tensorflow-gpu, webgpu, tensorflow, wasm, cpu/);
  });

  it('fails for an uninstalled native backend with install advice', async () => {
    await expect(initBackend('tensorflow')).rejects.toThrow(BackendUnavailableError);
    await expect(initBackend('tensorflow')).rejects.toThrow(/npm install @tensorflow\/tfjs-node/);
    await expect(initBackend('tensorflow-gpu')).rejects.toThrow(/tfjs-node-gpu/);
  });

  it('auto falls back to WASM here and says why the native ones were skipped', async () => {
    const logs: string[] = [];
    const info = await initBackend('auto', (m) => logs.push(m));
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.skipped.map((s) => s.name)).toEqual(['tensorflow-gpu', 'webgpu', 'tensorflow']);
    expect(logs.join('\n')).toMatch(/tfjs backend: wasm.*skipped tensorflow-gpu: .*not installed/);
  });
});
