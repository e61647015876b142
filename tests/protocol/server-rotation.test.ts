// The gateway list rotation shared by simulators and pages: order, backoff bounds, seeded jitter,
// and parsing of `a,b` / repeated lists.
import { describe, expect, it } from 'vitest';
import { parseOptions } from '../../cli/args.js';
import { backoffCeilingMs, parseServerList, ServerRotation } from '../../protocol/server-rotation.js';
import { createRandom } from '../../lib/random.js';

const URLS = ['ws://a/ws/device', 'ws://b/ws/device', 'ws://c/ws/device'];

describe('ServerRotation', () => {
  it('goes round-robin from the start index, one step per failure, and stays put on success', () => {
    const r = new ServerRotation(URLS, { startIndex: 4, random: () => 0 });
    expect(r.url).toBe(URLS[1]); // 4 mod 3
    const seen = [r.url];
    for (let i = 0; i < 5; i++) {
      r.failed();
      seen.push(r.url);
    }
    expect(seen).toEqual([URLS[1], URLS[2], URLS[0], URLS[1], URLS[2], URLS[0]]);
    r.succeeded();
    expect(r.url).toBe(URLS[0]);
    expect(r.failures).toBe(0);
    expect(r.switches).toBe(5);
    r.failed();
    expect(r.url).toBe(URLS[1]);
    expect(new ServerRotation(URLS, { startIndex: -1 }).url).toBe(URLS[2]);
  });

  it('with one URL, retries it with a doubling delay (the single-server case)', () => {
    const r = new ServerRotation(['ws://only'], { baseDelayMs: 500, maxDelayMs: 10_000, jitter: 0 });
    const delays = Array.from({ length: 7 }, () => r.failed());
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(r.url).toBe('ws://only');
  });

  it('doubles the delay once per full round through the list, so the next gateway is tried quickly', () => {
    const r = new ServerRotation(URLS, { baseDelayMs: 100, maxDelayMs: 1000, jitter: 0 });
    const delays = Array.from({ length: 13 }, () => r.failed());
    expect(delays).toEqual([100, 100, 100, 200, 200, 200, 400, 400, 400, 800, 800, 800, 1000]);
    r.succeeded();
    expect(r.failed()).toBe(100); // a new outage starts a new round
  });

  it('keeps every jittered delay within [ceiling·(1-jitter), ceiling] and reproduces it from a seed', () => {
    const run = (seed: number) => {
      const random = createRandom(seed);
      const r = new ServerRotation(URLS, { baseDelayMs: 250, maxDelayMs: 4000, jitter: 0.5, random: () => random.next() });
      return Array.from({ length: 300 }, (_, i) => ({ delay: r.failed(), ceiling: backoffCeilingMs(i + 1, URLS.length, 250, 4000) }));
    };
    const a = run(7);
    for (const { delay, ceiling } of a) {
      expect(delay).toBeGreaterThanOrEqual(ceiling * 0.5);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
    expect(Math.max(...a.map((d) => d.delay))).toBeLessThanOrEqual(4000);
    expect(run(7)).toEqual(a);
    expect(run(8).map((d) => d.delay)).not.toEqual(a.map((d) => d.delay));
    // Jitter really spreads: the capped delays are not all alike.
    const capped = a.filter((d) => d.ceiling === 4000).map((d) => d.delay);
    expect(Math.max(...capped) - Math.min(...capped)).toBeGreaterThan(1000);
  });

  it('refuses an empty list', () => {
    expect(() => new ServerRotation([])).toThrow(/at least one URL/);
  });
});

describe('parseServerList', () => {
  const WS = ['ws:', 'wss:'];
  it('splits commas, trims, drops blanks and duplicates, keeps the order', () => {
    expect(parseServerList(' ws://a:1/x , wss://b:2/x,,ws://a:1/x', WS)).toEqual(['ws://a:1/x', 'wss://b:2/x']);
    expect(parseServerList(['ws://a', 'ws://b,ws://c'], WS)).toEqual(['ws://a', 'ws://b', 'ws://c']);
  });

  it('names the bad entry', () => {
    expect(() => parseServerList('ws://a,http://b', WS, '--url')).toThrow("--url 'http://b' must start with ws:// or wss://");
    expect(() => parseServerList('ws://a,nonsense', WS, '--url')).toThrow("--url 'nonsense' is not a URL");
    expect(() => parseServerList(' , ', WS, '--url')).toThrow('no --url given');
  });

  it('reads a repeatable CLI option given once, several times, or as a list', () => {
    const spec = { usage: '', summary: '', options: { url: { type: 'string' as const, default: 'ws://d', repeatable: true, description: '' }, n: { type: 'integer' as const, description: '' } } };
    expect(parseOptions(spec, []).url).toBe('ws://d');
    expect(parseOptions(spec, ['--url', 'ws://a']).url).toBe('ws://a');
    expect(parseOptions(spec, ['--url', 'ws://a', '--url=ws://b,ws://c']).url).toBe('ws://a,ws://b,ws://c');
    expect(parseOptions(spec, ['--n', '1', '--n', '2']).n).toBe(2); // others: the last one wins, as before
  });
});
