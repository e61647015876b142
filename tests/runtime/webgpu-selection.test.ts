// How webgpu is chosen or refused, each case in a fresh process (tfjs picks a backend once per
// process): auto never takes a software adapter and says why in its one backend line; forcing
// webgpu with a Vulkan driver that does not exist fails saying what to install.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BACKEND = fileURLToPath(new URL('../../models/runtime/backend.ts', import.meta.url));
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

function select(choice: string, env: Record<string, string>): { result: { name?: string; skipped?: { name: string; reason: string }[]; error?: string }; log: string } {
  const code = `const { initBackend } = await import(${JSON.stringify(BACKEND)});
try { const i = await initBackend(${JSON.stringify(choice)}, (m) => console.error(m)); console.log(JSON.stringify({ name: i.name, skipped: i.skipped })); }
catch (e) { console.log(JSON.stringify({ error: e.message })); }
process.exit(0);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  return { result: JSON.parse(last || '{}'), log: r.stderr };
}

describe('webgpu selection', () => {
  it('forcing webgpu with no usable Vulkan driver fails saying what to install', () => {
    const { result } = select('webgpu', { VK_ICD_FILENAMES: '/nonexistent/vk_icd.json' });
    expect(result.error).toMatch(/backend 'webgpu' is not available/);
    expect(result.error).toMatch(/apt-get install chromium/);
    expect(result.error).toMatch(/Vulkan driver/);
  });

  it.skipIf(!process.env.CI && !existsSync(SWIFTSHADER))('auto skips a software-only Vulkan driver (SwiftShader) with one line saying why, and runs on WASM', () => {
    const { result, log } = select('auto', { VK_ICD_FILENAMES: SWIFTSHADER });
    expect(result.name).toBe('wasm');
    expect(result.skipped?.find((s) => s.name === 'webgpu')?.reason).toMatch(/only software Vulkan drivers/);
    expect(log.split('\n').filter((l) => l.startsWith('tfjs backend:'))).toHaveLength(1);
  });
});
