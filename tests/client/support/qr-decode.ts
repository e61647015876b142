// jsqr (CommonJS, its function under `default`) for the tests that read QR codes back. Node and
// the test runner disagree on unwrapping `default`, so take whichever is the function.
import * as jsqrModule from 'jsqr';

type Decode = typeof import('jsqr').default;
const loaded = jsqrModule as unknown as { default: Decode | { default: Decode } };

/** The text of the QR code in an RGBA image, or undefined when none is found. */
export function decodeQr(rgba: Uint8ClampedArray, width: number, height: number): string | undefined {
  const decode = typeof loaded.default === 'function' ? loaded.default : loaded.default.default;
  return decode(rgba, width, height)?.data;
}
