// Whether the webgpu tests can run here: a Vulkan driver (VK_ICD_FILENAMES or the system's) or
// Debian's chromium (whose SwiftShader `--backend webgpu` finds by itself). In CI they never skip:
// .ci/run installs chromium, so a missing driver there is a failure, not a skip.
import { vulkanDriverFindable } from '../../models/runtime/webgpu.js';
import { skipWithout } from '../helpers/skip-without.js';

const MISSING = 'no Vulkan driver and no chromium (apt-get install chromium brings SwiftShader)';

/** A reason to skip (no driver, not in CI), or undefined: run. */
export function webgpuSkipReason(): string | undefined {
  return skipWithout({ found: vulkanDriverFindable(), missing: MISSING, tests: 'the webgpu tests' }) ? `webgpu tests skipped: ${MISSING}` : undefined;
}

/** max |a - b| / max |b|: the error relative to the tensor's scale (elementwise would blow up near 0). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}
