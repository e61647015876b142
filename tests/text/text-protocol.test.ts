import { describe, expect, it } from 'vitest';
import { parseTextClientMessage } from '../../protocol/text-messages.js';
import { sampleToken } from '../../models/lm/sample-token.js';

describe('text protocol validation', () => {
  it('accepts the client messages and rejects malformed ones with a reason', () => {
    expect(parseTextClientMessage({ type: 'start', model: 'english-word', k: 3 })).toEqual({ ok: true, value: { type: 'start', model: 'english-word', k: 3 } });
    expect(parseTextClientMessage({ type: 'edit', seq: 4, insert: 'a', delete: 1, sentAt: 12.5 }).ok).toBe(true);
    expect(parseTextClientMessage({ type: 'generate', id: 'g', prompt: 'x', temperature: 0.7, topK: 5, maxTokens: 10, seed: 1 }).ok).toBe(true);
    const bad: [unknown, RegExp][] = [
      [null, /object/],
      [[1], /object/],
      [{ type: 'nope' }, /unknown message type/],
      [{ type: 'start', model: '../etc' }, /model name/],
      [{ type: 'start', k: 11 }, /k must/],
      [{ type: 'edit', seq: 1.5 }, /seq/],
      [{ type: 'edit', seq: 1, insert: 5 }, /insert/],
      [{ type: 'edit', seq: 1, delete: -2 }, /delete/],
      [{ type: 'generate', id: '' }, /id/],
      [{ type: 'generate', id: 'g', temperature: 0 }, /temperature/],
      [{ type: 'generate', id: 'g', maxTokens: 0 }, /maxTokens/],
      [{ type: 'stop' }, /stop.id/],
    ];
    for (const [msg, re] of bad) {
      const r = parseTextClientMessage(msg);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(re);
    }
  });
});

describe('sampling', () => {
  it('never samples <unk>, respects top-k, and sharpens with a low temperature', () => {
    const probs = [0.5, 0.3, 0.15, 0.05];
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 1000; i++) counts[sampleToken(probs, { temperature: 1, topK: 2 }, i / 1000)]!++;
    expect(counts[0]).toBe(0);
    expect(counts[3]).toBe(0);
    expect(counts[1]! / 1000).toBeCloseTo(0.3 / 0.45, 1);
    const cold = [0, 0, 0, 0];
    for (let i = 0; i < 1000; i++) cold[sampleToken(probs, { temperature: 0.1, topK: 0 }, i / 1000)]!++;
    expect(cold[1]).toBeGreaterThan(990);
  });
});
