// A short, safe description of any decoded value for error messages. Decoded frames can hold
// anything msgpack or JSON can carry (BigInt, typed arrays, deep nesting), and describing one
// must never throw: JSON.stringify throws on a BigInt.

const MAX_SHOWN = 40;

export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return 'an array';
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  if (typeof v === 'string') return JSON.stringify(v.length > MAX_SHOWN ? `${v.slice(0, MAX_SHOWN)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return 'a big integer';
  return typeof v === 'object' ? 'an object' : typeof v;
}
