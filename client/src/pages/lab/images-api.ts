// The image lab's server API (server/plugins/images.ts, images-vae.ts, images-gan.ts): typed
// calls for the JSON routes, and PNG routes fetched as object URLs so that errors (a model that
// is not trained yet answers 503 with a message) reach the page instead of a broken image.
import { HttpError, postJson } from '../../net/http.js';

export type DigitRows = number[][];

export interface ClassifyResponse {
  label: number;
  probabilities: number[];
  featureMaps?: { layer: string; count: number; height: number; width: number; maps: number[][][] };
}

export interface DigitsResponse {
  images: DigitRows[];
  z?: number[][];
}

export interface ArithmeticResponse {
  image: DigitRows;
  images: DigitRows[];
  z: number[];
}

export const classifyDigit = (image: DigitRows) => postJson<ClassifyResponse>('/api/images/classify', { image, featureMaps: true });

export const vaeInterpolate = (from: DigitRows, to: DigitRows, steps: number) => postJson<DigitsResponse>('/api/vae/interpolate?format=json', { from, to, steps, model: 'vae' });

export const vaeArithmetic = (a: DigitRows, b: DigitRows, c: DigitRows) => postJson<ArithmeticResponse>('/api/vae/arithmetic?format=json', { a, b, c, model: 'vae' });

/** A PNG from a GET route as an object URL (revoke it when replaced), plus the reply's headers. */
export async function fetchPng(path: string): Promise<{ url: string; headers: Headers }> {
  const res = await fetch(path, { headers: { accept: 'image/png' } });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { message?: string };
    throw new HttpError(res.status, body.message ?? `${path} answered ${res.status}`);
  }
  return { url: URL.createObjectURL(await res.blob()), headers: res.headers };
}

/** 503 from the image routes means "this model is not trained yet". */
export function isModelMissing(err: unknown): err is HttpError {
  return err instanceof HttpError && err.status === 503;
}

/** Why a model is unavailable, as the server put it (the same for every route of that model). */
export function missingModelText(err: HttpError): string {
  return err.serverMessage;
}
