// server/heap-growing.ts: the fixed heap growing factor must reach V8 when set at run time (a
// mistyped flag would be ignored without a word). A child process sets it, grows its heap, and
// V8's own trace (--trace-gc-verbose) says which factor each new heap limit was computed with.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { setHeapGrowing } from '../../server/heap-growing.js';

const MODULE = fileURLToPath(new URL('../../server/heap-growing.ts', import.meta.url));

const CHILD = `
const { setHeapGrowing } = await import(process.env.HEAP_MODULE);
setHeapGrowing(Number(process.env.HEAP_PERCENT));
console.log('--- set');
const keep = [];
for (let i = 0; i < 200; i++) keep.push(Buffer.alloc(1 << 18, i).toString('latin1'));
console.log('kept', keep.length);
`;

/** The factors of the old generation's limits V8 computed after the factor was set. */
function limitFactors(percent: number): number[] {
  const out = execFileSync(process.execPath, ['--trace-gc-verbose', '--import', 'tsx', '--input-type=module', '-e', CHILD], {
    env: { ...process.env, HEAP_MODULE: MODULE, HEAP_PERCENT: String(percent) },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const after = out.slice(out.indexOf('--- set'));
  return [...after.matchAll(/\[HeapController\] Limit: .*\(([\d.]+)\)/g)].map((m) => Number(m[1]));
}

describe('heap growing factor', () => {
  it('set at run time, is the factor of every heap limit V8 computes after', () => {
    const doubled = limitFactors(100);
    expect(doubled.length).toBeGreaterThan(0);
    expect(new Set(doubled)).toEqual(new Set([2]));
    const half = limitFactors(50);
    expect(half.length).toBeGreaterThan(0);
    expect(new Set(half)).toEqual(new Set([1.5]));
  }, 120_000);

  it('refuses what is not a whole percentage', () => {
    expect(() => setHeapGrowing(-1)).toThrow(RangeError);
    expect(() => setHeapGrowing(1.5)).toThrow(RangeError);
  });
});
