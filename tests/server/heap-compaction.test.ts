// server/heap-compaction.ts: a heap left full of half-empty pages is compacted by the full
// collection after a period, where V8's own heuristics keep the pages (same program without it).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compactHeapEvery } from '../../server/heap-compaction.js';

const MODULE = new URL('../../server/heap-compaction.ts', import.meta.url).href;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MB = 2 ** 20;

/** Old space reserved after a fragmenting program, in a fresh node (V8 flags are per process). */
function oldSpaceAfterCollections(compactSeconds: number): number {
  const code = `
import { getHeapSpaceStatistics } from 'node:v8';
import { compactHeapEvery } from ${JSON.stringify(MODULE)};
// A fifth of 1.5 M objects kept: every old-space page about 80% free after the next full collection.
let all = [];
for (let i = 0; i < 1_500_000; i++) all.push({ a: i, b: 'x' + i, c: [i] });
const kept = all.filter((_, i) => i % 5 === 0);
all = null;
const stop = compactHeapEvery(${compactSeconds});
// A period passes, then one full collection (the one a busy server would have had by itself).
await new Promise((resolve) => setTimeout(resolve, 1_200));
globalThis.gc();
stop();
const old = getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_size;
console.log(JSON.stringify({ old, kept: kept.length }));
`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--max-semi-space-size=4', '--expose-gc', '--input-type=module', '-e', code], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { old: number }).old;
}

describe('compactHeapEvery', () => {
  it('gives back the half-empty pages that full collections alone keep', () => {
    const kept = oldSpaceAfterCollections(0);
    const compacted = oldSpaceAfterCollections(1);
    // ~60 MB live: without compaction the ~190 MB of pages stay reserved.
    expect(kept).toBeGreaterThan(150 * MB);
    expect(compacted).toBeLessThan(kept / 2);
  }, 120_000);

  it('refuses a period that is not a whole number of seconds', () => {
    expect(() => compactHeapEvery(-1)).toThrow(RangeError);
    expect(() => compactHeapEvery(1.5)).toThrow(RangeError);
    compactHeapEvery(0)();
  });
});
