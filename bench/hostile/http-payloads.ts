// Hostile HTTP requests for every route of the server, from a seeded generator: JSON bodies with
// __proto__, wrong types, huge strings, 1e999, deep nesting and invalid JSON; PNG uploads (valid,
// corrupted, truncated, lying about their size, decompression bombs within the size limit) as raw
// image/png bodies and as base64 in JSON; Sensor Logger pushes whose time goes backwards or is
// not a time; odd ids, query strings, methods, Host and Origin headers.
import { deflateSync } from 'node:zlib';
import { encodeGrayPng } from '../../models/images/shared/png.js';
import type { Random } from '../../lib/random.js';
import { NEIGHBOUR_PREFIX, weirdValue } from './ws-payloads.js';

export interface HttpCase {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
  kind: string;
}

const JSON_TYPE = { 'content-type': 'application/json' };

const pngCache = new Map<string, Buffer>();

/** A valid grayscale PNG of w x h random-ish pixels (cached per size). */
function validPng(w: number, h: number): Buffer {
  const key = `${w}x${h}`;
  let png = pngCache.get(key);
  if (!png) {
    const pixels = new Uint8Array(w * h).map((_, i) => (i * 37) & 0xff);
    png = encodeGrayPng({ width: w, height: h, pixels });
    pngCache.set(key, png);
  }
  return png;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A well-formed PNG (right CRCs) claiming w x h gray pixels, with an IDAT of `raw` bytes deflated. */
function craftedPng(w: number, h: number, raw: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w >>> 0, 0);
  ihdr.writeUInt32BE(h >>> 0, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // gray
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

let bomb: Buffer | undefined;

/** Hostile PNG bytes, and what they are. */
export function hostilePng(r: Random): { png: Buffer; kind: string } {
  switch (r.int(0, 7)) {
    case 0:
      return { png: validPng(r.pick([28, 28, 64, 5]), r.pick([28, 28, 64, 7])), kind: 'png-valid' };
    case 1: {
      const png = Buffer.from(validPng(28, 28));
      for (let i = 0; i < r.int(1, 8); i++) png[r.int(8, png.length - 1)] = r.int(0, 255);
      return { png, kind: 'png-corrupt' };
    }
    case 2: {
      const png = validPng(64, 64);
      return { png: png.subarray(0, r.int(8, png.length - 1)), kind: 'png-truncated' };
    }
    case 3:
      // Size fields that lie: enormous, zero, or just over the limit, with a tiny IDAT.
      return { png: craftedPng(r.pick([0xffffffff, 0x7fffffff, 1025, 0, 100_000]), r.pick([1, 0xffffffff, 1025, 0]), Buffer.alloc(64)), kind: 'png-huge-dims' };
    case 4:
      // 1024 x 1024 (at the decoder's limit) from ~1 KB: a decompression bomb within the limits.
      bomb ??= craftedPng(1024, 1024, Buffer.alloc(1025 * 1024));
      return { png: bomb, kind: 'png-bomb' };
    case 5:
      // Declares 64 x 64 but inflates to far more data than that.
      return { png: craftedPng(64, 64, Buffer.alloc(r.int(1, 4) << 20)), kind: 'png-overlong-idat' };
    case 6:
      return { png: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(Array.from({ length: r.int(0, 200) }, () => r.int(0, 255)))]), kind: 'png-random' };
    default:
      return { png: craftedPng(r.int(1, 300), r.int(1, 300), Buffer.alloc(r.int(0, 5000), r.int(0, 255))), kind: 'png-mismatched-idat' };
  }
}

const IMAGE_POSTS = ['/api/images/convolve', '/api/images/pool', '/api/images/classify', '/api/images/denoise', '/api/vae/encode', '/api/vae/interpolate', '/api/vae/arithmetic', '/api/vae/decode'];
const IMAGE_GETS = ['/api/gan/dcgan/sample', '/api/gan/cgan/sample', '/api/gan/interpolate', '/api/vae/sample', '/api/vae/manifold', '/api/images/kernels', '/api/images/examples'];
const PLAIN_GETS = ['/api/health', '/metrics', '/api/recordings', '/api/text/models', '/ws/text', '/ws/device', '/ws/dashboard', '/', '/phone/', '/dashboard/'];
const ODD_IDS = ['..', '../etc/passwd', '%2e%2e%2f%2e%2e', '..%252f..', 'a\\..\\b', '%00', 'x'.repeat(300), 'sensor-logger:x', '__proto__', 'constructor', '.', ''];

function imageField(r: Random): unknown {
  const u = r.next();
  if (u < 0.4) return { png: hostilePng(r).png.toString('base64') };
  if (u < 0.5) return { png: `data:image/png;base64,${hostilePng(r).png.toString('base64')}` };
  if (u < 0.6) return { png: '!!!not base64!!!' + 'A'.repeat(r.int(0, 100)) };
  if (u < 0.8) {
    const h = r.pick([28, 1, 0, 257, r.int(1, 40)]);
    const w = r.pick([28, 1, 257, r.int(1, 40)]);
    return Array.from({ length: h }, () => Array.from({ length: w }, () => (r.int(0, 20) ? r.int(0, 255) : r.pick<unknown>([-1, 256, 1e308, null, 'x', 0.5]))));
  }
  return weirdValue(r);
}

function imagePost(r: Random): HttpCase {
  const path = r.pick(IMAGE_POSTS);
  const query = r.int(0, 2) ? '' : `?format=${r.pick(['png', 'json', 'gif', ''])}&kernel=${r.pick(['sobel-x', 'blur', '__proto__', 'x'.repeat(100)])}&mode=max`;
  if (r.int(0, 2) === 0) {
    const { png, kind } = hostilePng(r);
    return { method: 'POST', path: path + query, headers: { 'content-type': 'image/png' }, body: png, kind: `image-raw-${kind}` };
  }
  const body: Record<string, unknown> = { image: imageField(r), from: imageField(r), to: imageField(r), a: imageField(r), b: imageField(r), c: imageField(r) };
  for (const k of Object.keys(body)) if (r.int(0, 1)) delete body[k];
  if (r.int(0, 1)) body.kernel = r.pick<unknown>(['sobel-x', 'blur', 'nope', weirdValue(r)]);
  if (r.int(0, 2) === 0)
    body.weights = r.pick<unknown>([
      [
        [1, 0],
        [0, -1],
      ],
      Array.from({ length: 16 }, () => [1]),
      weirdValue(r),
    ]);
  if (r.int(0, 2) === 0) body.z = r.pick<unknown>([[[0, 0]], Array.from({ length: 100 }, () => Array.from({ length: 20 }, () => r.uniform(-1e3, 1e3))), weirdValue(r)]);
  if (r.int(0, 3) === 0)
    Object.assign(body, {
      steps: weirdValue(r),
      mode: weirdValue(r),
      stride: weirdValue(r),
      padding: r.pick<unknown>([1e9, -1, 3, weirdValue(r)]),
      divisor: r.pick<unknown>([0, 1e-300, weirdValue(r)]),
    });
  return { method: 'POST', path: path + query, headers: JSON_TYPE, body: JSON.stringify(body), kind: 'image-json' };
}

function imageGet(r: Random): HttpCase {
  const q = new URLSearchParams();
  for (const k of ['n', 'seed', 'label', 'from', 'to', 'steps', 'size', 'coverage', 'model', 'path', 'format']) {
    if (r.int(0, 1)) q.set(k, String(r.pick<unknown>([1, 2, 0, -1, 65, 1e9, 'NaN', 'Infinity', '1e999', '', 'dcgan', 'slerp', 'png', '__proto__', 3.5])));
  }
  return { method: 'GET', path: `${r.pick(IMAGE_GETS)}?${q}`, headers: {}, kind: 'image-query' };
}

/** Sensor Logger readings with nanosecond times that may go backwards, repeat or not be times at all. */
function sensorLogger(r: Random, deviceId: string): HttpCase {
  const n = r.pick([0, 1, 10, 100, 1000, r.int(1, 3000), 10_001]);
  let ns = BigInt(Date.now()) * 1_000_000n;
  const backwards = r.int(0, 2) === 0;
  const payload = Array.from({ length: n }, () => {
    ns += backwards ? -BigInt(r.int(0, 2e9)) : BigInt(r.int(0, 4e7));
    const time = r.int(0, 30) ? (r.int(0, 1) ? ns.toString() : Number(ns)) : weirdValue(r);
    const values = r.int(0, 30) ? { x: r.uniform(-20, 20), y: r.uniform(-20, 20), z: r.uniform(-20, 20) } : { x: weirdValue(r), y: 'NaN', z: null };
    return { name: r.int(0, 10) ? 'totalacceleration' : r.pick(['accelerometer', 'gyroscope', 'TOTALACCELERATION', weirdValue(r)]), time, values };
  });
  const body: Record<string, unknown> = { messageId: r.int(0, 1e6), sessionId: r.int(0, 5) ? 's1' : weirdValue(r), deviceId: r.int(0, 10) ? deviceId : weirdValue(r), payload };
  const u = r.next();
  if (u < 0.08) return { method: 'POST', path: '/api/sensor-logger', headers: JSON_TYPE, body: JSON.stringify(body).replace(/"x":[-0-9.e]+/, '"x":NaN'), kind: 'logger-nan-literal' };
  if (u < 0.14) return { method: 'POST', path: '/api/sensor-logger', headers: JSON_TYPE, body: JSON.stringify(body).replace(/"x":[-0-9.e]+/, '"x":1e999'), kind: 'logger-1e999' };
  if (u < 0.2)
    return {
      method: 'POST',
      path: '/api/sensor-logger',
      headers: JSON_TYPE,
      body: `{"__proto__":{"deviceId":"pwn","payload":[]},"constructor":{"prototype":{"x":1}},${JSON.stringify(body).slice(1)}`,
      kind: 'logger-proto',
    };
  if (u < 0.24) return { method: 'POST', path: '/api/sensor-logger', headers: JSON_TYPE, body: '{"payload":' + '['.repeat(r.int(100, 100_000)), kind: 'logger-deep' };
  if (u < 0.27) return { method: 'POST', path: '/api/sensor-logger', headers: JSON_TYPE, body: JSON.stringify({ ...body, sessionId: 'S'.repeat(r.int(1000, 1_100_000)) }), kind: 'logger-huge-string' };
  if (u < 0.3)
    return {
      method: 'POST',
      path: '/api/sensor-logger',
      headers: { 'content-type': r.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-7']) },
      body: JSON.stringify(body),
      kind: 'logger-content-type',
    };
  return {
    method: 'POST',
    path: `/api/sensor-logger${r.int(0, 5) ? '' : `?token=${'t'.repeat(r.int(1, 5000))}`}`,
    headers: JSON_TYPE,
    body: JSON.stringify(body),
    kind: backwards ? 'logger-backwards' : 'logger-push',
  };
}

function recordings(r: Random, deviceIds: readonly string[]): HttpCase {
  const id = r.int(0, 2) ? r.pick(deviceIds) : r.pick(ODD_IDS);
  const e = encodeURIComponent(id);
  switch (r.int(0, 3)) {
    case 0:
      return { method: 'POST', path: `/api/recordings/${e}/start`, headers: r.int(0, 1) ? JSON_TYPE : {}, body: r.int(0, 1) ? JSON.stringify(weirdValue(r)) : undefined, kind: 'recording-start' };
    case 1:
      return { method: 'POST', path: `/api/recordings/${e}/stop`, headers: {}, kind: 'recording-stop' };
    case 2:
      return { method: 'GET', path: `/api/recordings/${r.int(0, 1) ? e : id}`, headers: {}, kind: 'recording-get' };
    default:
      return { method: 'GET', path: '/api/recordings', headers: {}, kind: 'recording-list' };
  }
}

function textGenerate(r: Random): HttpCase {
  const body = {
    prompt: r.int(0, 4) ? 'the ' : 'p'.repeat(r.int(0, 120_000)),
    maxTokens: r.pick<unknown>([1, 3, 500, 501, 1e9, 0, weirdValue(r)]),
    temperature: r.pick<unknown>([0.8, 0, 5.1, weirdValue(r)]),
    topK: r.pick<unknown>([0, 3, 1e12, -1]),
    model: r.pick<unknown>(['english-word', 'shakespeare-char', '../x', 'har', weirdValue(r)]),
    seed: r.pick<unknown>([1, -1, 2 ** 33, weirdValue(r)]),
  };
  for (const k of Object.keys(body) as (keyof typeof body)[]) if (r.int(0, 2) === 0) delete body[k];
  return { method: 'POST', path: '/api/text/generate', headers: JSON_TYPE, body: JSON.stringify(body), kind: 'text-generate' };
}

/** Lone UTF-16 surrogates (random strings have them) replaced, so the text can be percent-encoded. */
function wellFormed(s: string): string {
  return s.replace(/\p{Surrogate}/gu, '\ufffd');
}

/** Requests that attack HTTP itself: methods, paths, headers. */
function oddities(r: Random): HttpCase {
  switch (r.int(0, 6)) {
    case 0:
      return {
        method: r.pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'HEAD']),
        path: r.pick([...PLAIN_GETS, ...IMAGE_POSTS, '/api/sensor-logger']),
        headers: {},
        kind: 'odd-method',
      };
    case 1:
      return {
        method: 'GET',
        path: `/${r.pick(['..%2f..%2fetc%2fpasswd', '%2e%2e/%2e%2e/etc/passwd', 'api/%00', 'api/..;/health', '\\..\\..\\windows', 'a'.repeat(r.int(100, 16_000))])}`,
        headers: {},
        kind: 'odd-path',
      };
    case 2:
      return {
        method: 'GET',
        path: r.pick(PLAIN_GETS),
        headers: { host: r.pick(['attacker.example', 'localhost.attacker.example', '127.0.0.1.nip.io', '', '[::1]:1', 'x'.repeat(300)]), origin: 'http://attacker.example' },
        kind: 'odd-host',
      };
    case 3:
      return { method: 'POST', path: '/api/recordings/neighbour-0001/start', headers: { origin: r.pick(['http://attacker.example', 'null', 'file://']) }, kind: 'foreign-origin' };
    case 4:
      return {
        method: 'GET',
        path: r.pick(PLAIN_GETS),
        headers: { cookie: `sensorium_token=${'c'.repeat(r.int(100, 14_000))}`, authorization: `Bearer ${'b'.repeat(r.int(0, 3000))}` },
        kind: 'odd-credentials',
      };
    case 5:
      return { method: 'GET', path: r.pick(PLAIN_GETS), headers: { accept: r.pick(['image/gif', '*/*;q=0', 'application/json;q=abc', 'x'.repeat(4000)]) }, kind: 'odd-accept' };
    default:
      return {
        method: 'GET',
        path: `${r.pick(PLAIN_GETS)}?token=${encodeURIComponent(wellFormed(String(weirdValue(r)).slice(0, 2000)))}&__proto__[x]=1&constructor[prototype][y]=2`,
        headers: {},
        kind: 'odd-query',
      };
  }
}

/** One hostile request; `deviceIds` are ids the run's devices use (recordings start/stop them). */
export function httpCase(r: Random, deviceIds: readonly string[]): HttpCase {
  const u = r.next();
  if (u < 0.3) return sensorLogger(r, r.int(0, 5) ? `fuzz-${r.int(0, 40)}` : `${NEIGHBOUR_PREFIX}-${r.int(0, 99)}`);
  if (u < 0.55) return imagePost(r);
  if (u < 0.63) return imageGet(r);
  if (u < 0.73) return recordings(r, deviceIds);
  if (u < 0.78) return textGenerate(r);
  if (u < 0.95) return oddities(r);
  return { method: 'GET', path: r.pick(PLAIN_GETS), headers: {}, kind: 'plain-get' };
}
