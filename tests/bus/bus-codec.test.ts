// NATS payload encoding: typed arrays survive, what is not plain data is refused both ways.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BusPayloadError } from '../../server/bus/bus-errors.js';
import { BUS_PAYLOAD_SHAPE, decodePayload, encodePayload } from '../../server/bus/bus-codec.js';

describe('bus codec', () => {
  it('round-trips windows and replies with their typed arrays', () => {
    const window = new Float32Array(384).map((_, i) => Math.sin(i) * 2);
    const request = { deviceId: 'phone-1', window, placement: 'pocket' };
    const back = decodePayload(encodePayload(request)) as typeof request;
    expect(back.window).toBeInstanceOf(Float32Array);
    expect(back.window).toEqual(window);
    expect(back.deviceId).toBe('phone-1');
    // A view into a larger buffer sends only its own elements.
    const view = new Float32Array([1, 2, 3, 4]).subarray(1, 3);
    expect(decodePayload(encodePayload(view))).toEqual(new Float32Array([2, 3]));
    for (const typed of [new Float64Array([1.5]), new Int32Array([-7]), new Uint8Array([1, 255])]) {
      const got = decodePayload(encodePayload(typed)) as ArrayLike<number>;
      expect(got.constructor).toBe(typed.constructor);
      expect(Array.from(got)).toEqual(Array.from(typed));
    }
  });

  it('round-trips arbitrary JSON-like data (as JSON sees it: -0 arrives as 0)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        // msgpackr renames a __proto__ key (see the prototype test below).
        fc.pre(!JSON.stringify(value).includes('"__proto__"'));
        expect(JSON.stringify(decodePayload(encodePayload(value)))).toBe(JSON.stringify(value));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses to encode what is not plain data', () => {
    let deep: unknown = 0;
    for (let i = 0; i < BUS_PAYLOAD_SHAPE.maxDepth + 1; i++) deep = [deep];
    for (const bad of [1n, { a: 1n }, new Map(), new Set([1]), new Date(0), () => 1, Symbol('x'), new DataView(new ArrayBuffer(4)), deep, [new (class Point {})()]]) {
      expect(() => encodePayload(bad), String(typeof bad)).toThrow(BusPayloadError);
    }
  });

  it('refuses bytes after the value (an inline record definition would smuggle an unchecked array in)', () => {
    const nils = new Uint8Array(8 + 300_000).fill(0xc0);
    nils.set([0xd4, 0x72, 0x40, 0xdd, 0x00, 0x04, 0x93, 0xe0]);
    expect(() => decodePayload(nils)).toThrow(/bytes after its value/);
  });

  it('never throws anything but BusPayloadError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodePayload(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(BusPayloadError);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it("does not let a __proto__ key change a decoded object's prototype (msgpackr reads it as __proto_)", () => {
    // {"__proto__": {"polluted": true}} as a msgpack map
    const bytes = Uint8Array.from([0x81, 0xa9, ...new TextEncoder().encode('__proto__'), 0x81, 0xa8, ...new TextEncoder().encode('polluted'), 0xc3]);
    let value: unknown;
    try {
      value = decodePayload(bytes);
    } catch (err) {
      expect(err).toBeInstanceOf(BusPayloadError);
      return;
    }
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(value).toEqual({ __proto_: { polluted: true } });
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});
