// protocol/README.md's close-code table is the map of protocol/close-codes.ts: the two must not drift.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CloseCode } from '../../protocol/close-codes.js';

describe('close codes', () => {
  it('protocol/README.md lists every CloseCode with its name, and nothing else', () => {
    const readme = readFileSync(new URL('../../protocol/README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Close codes'), readme.indexOf('\n## ', readme.indexOf('## Close codes') + 1));
    const rows = [...section.matchAll(/^\| (\d{4}) \| `(\w+)` \|/gm)].map((m) => [m[2], Number(m[1])]);
    expect(Object.fromEntries(rows)).toEqual(CloseCode);
  });

  it('codes are unique and in the ranges RFC 6455 allows (1000-1015 standard, 4000-4999 private)', () => {
    const codes = Object.values(CloseCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect((c >= 1000 && c <= 1015) || (c >= 4000 && c <= 4999)).toBe(true);
  });
});
