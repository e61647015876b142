import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../lib/token-bucket.js';

describe('TokenBucket', () => {
  it('spends its burst, refuses (taking nothing) when short, and refills at its rate up to the burst', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 5, () => now);
    expect(bucket.take(3)).toBe(true);
    expect(bucket.take(3)).toBe(false); // 2 left: nothing taken
    expect(bucket.take(2)).toBe(true);
    expect(bucket.take()).toBe(false);
    now = 250; // 2.5 tokens at 10/s
    expect(bucket.take(2)).toBe(true);
    expect(bucket.take()).toBe(false);
    expect(bucket.full).toBe(false);
    now = 60_000; // a long pause refills to the burst, not beyond
    expect(bucket.full).toBe(true);
    expect(bucket.take(5)).toBe(true);
    expect(bucket.take()).toBe(false);
  });
});
