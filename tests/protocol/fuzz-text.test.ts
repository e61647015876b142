// Property-based fuzzing of the /ws/text message parser (protocol/text-messages.ts), alone and
// behind the frame decoder: any value at all (BigInt, typed arrays, Maps, null prototypes),
// msgpack frames carrying 64-bit integers, near-valid messages with one field broken. It must
// never throw (a throw inside the socket handler once ended the whole server: issue 13), must
// answer a short reason, and whatever it accepts must be well-formed.
// SENSORIUM_FUZZ_RUNS sets the runs per property (default 400).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../protocol/codec.js';
import { parseTextClientMessage, type Parsed, type TextClientMessage } from '../../protocol/text-messages.js';
import { int64, map, pack, uint64 } from '../../bench/hostile/msgpack-craft.js';

const RUNS = Number(process.env.SENSORIUM_FUZZ_RUNS ?? 400);
const params = { numRuns: RUNS };
const isWhole = (v: unknown, lo: number, hi: number) => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

/** Parses without letting an exception escape the property (a throw is the bug we look for). */
function parse(v: unknown): Parsed<TextClientMessage> {
  return parseTextClientMessage(v);
}

/** Everything the parser promises about its answer. */
function check(r: Parsed<TextClientMessage>): void {
  if (!r.ok) {
    expect(typeof r.error).toBe('string');
    expect(r.error.length).toBeLessThan(400); // attacker-sized input is never echoed back whole
    return;
  }
  const m = r.value;
  expect(['start', 'edit', 'generate', 'stop', 'forget']).toContain(m.type);
  if (m.type === 'start') {
    if (m.model !== undefined) expect(m.model).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
    if (m.k !== undefined) expect(isWhole(m.k, 1, 10)).toBe(true);
  } else if (m.type === 'edit') {
    expect(isWhole(m.seq, 0, Number.MAX_SAFE_INTEGER)).toBe(true);
    if (m.insert !== undefined) expect(typeof m.insert).toBe('string');
    if (m.delete !== undefined) expect(isWhole(m.delete, 0, 1_000_000)).toBe(true);
    if (m.sentAt !== undefined) expect(Number.isFinite(m.sentAt)).toBe(true);
  } else if (m.type === 'generate') {
    expect(m.id.length).toBeGreaterThan(0);
    expect(m.id.length).toBeLessThanOrEqual(64);
    if (m.temperature !== undefined) expect(m.temperature >= 0.05 && m.temperature <= 5).toBe(true);
    if (m.maxTokens !== undefined) expect(isWhole(m.maxTokens, 1, Number.MAX_SAFE_INTEGER)).toBe(true);
    if (m.seed !== undefined) expect(isWhole(m.seed, 0, 2 ** 32 - 1)).toBe(true);
  } else if (m.type === 'stop') {
    expect(typeof m.id).toBe('string');
  } else {
    expect(Object.keys(m)).toEqual(['type']); // forget carries nothing else
  }
}

const anything = fc.anything({ withBigInt: true, withTypedArray: true, withNullPrototype: true, withMap: true, withSet: true, withDate: true, withBoxedValues: true, withSparseArray: true });
const weird = fc.oneof(anything, fc.bigInt(), fc.constantFrom(NaN, Infinity, -Infinity, -0, 2 ** 53 + 1, 1e308, '', 'x'.repeat(100_000), null, [], {}));

describe('fuzzing the /ws/text parser', () => {
  it('answers the 15-byte {type: 1n} frame of issue 13 with an error instead of throwing', () => {
    const d = decodeFrame(Buffer.from('81a474797065cf0000000000000001', 'hex'), true);
    expect(d.ok).toBe(true);
    const r = parse(d.ok ? d.value : undefined);
    expect(r.ok).toBe(false);
    check(r);
  });

  it('never throws on any value at all', () => {
    fc.assert(
      fc.property(anything, (v) => check(parse(v))),
      params,
    );
  });

  it('never throws on a message of each type with any field replaced by anything (BigInt included)', () => {
    const fields = fc.record(
      { seq: weird, insert: weird, delete: weird, reset: weird, sentAt: weird, id: weird, prompt: weird, temperature: weird, topK: weird, maxTokens: weird, seed: weird, model: weird, k: weird },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom('start', 'edit', 'generate', 'stop'), weird), fields, (type, rest) => check(parse({ ...rest, type }))),
      params,
    );
  });

  it('never throws on msgpack frames whose integers are 64-bit (decoded as BigInt)', () => {
    const keys = ['type', 'seq', 'delete', 'k', 'maxTokens', 'topK', 'seed', 'sentAt', 'id', 'insert'];
    fc.assert(
      fc.property(fc.subarray(keys, { minLength: 1 }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }), fc.constantFrom('start', 'edit', 'generate', 'stop'), (big, value, type) => {
        const encoded = value < 0n ? int64(value) : uint64(value);
        const frame = map([['type', pack(type)], ...big.map((k) => [k, encoded] as const)]);
        const d = decodeFrame(frame, true);
        if (d.ok) check(parse(d.value));
        else expect(d.error).toMatch(/could not be decoded/);
      }),
      params,
    );
  });

  it('accepts well-formed edits and keeps their fields', () => {
    fc.assert(
      fc.property(fc.nat(), fc.string({ maxLength: 50 }), fc.integer({ min: 0, max: 1_000_000 }), fc.boolean(), (seq, insert, del, binary) => {
        const msg = { type: 'edit', seq, insert, delete: del };
        const d = decodeFrame(binary ? pack(msg) : JSON.stringify(msg), binary);
        const r = parse(d.ok ? d.value : undefined);
        expect(r).toEqual({ ok: true, value: { ...msg, reset: undefined, sentAt: undefined } });
      }),
      params,
    );
  });
});
