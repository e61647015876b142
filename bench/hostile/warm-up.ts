// Models that load on first use, asked for once before the calm phase with the largest requests
// the routes take: the server's RSS then holds every model, the image worker thread and the high
// water mark of its WebAssembly heap (which never shrinks) from the start, so the hostile phase's
// RSS growth is growth, not the attack's first (or first 25x25) image request.
const blank = Array.from({ length: 28 }, () => new Array<number>(28).fill(0));

const REQUESTS: { path: string; body?: unknown }[] = [
  { path: '/api/vae/manifold?size=25' },
  { path: '/api/vae/sample?n=64&model=vae' },
  { path: '/api/gan/dcgan/sample?n=64' },
  { path: '/api/gan/cgan/sample?n=64' },
  { path: '/api/gan/interpolate?from=1&to=2&steps=64' },
  { path: '/api/images/classify', body: { image: blank } },
  { path: '/api/images/denoise', body: { image: blank } },
];

/** Asks each lazily loaded model once; returns the routes that did not answer 200. */
export async function warmLazyModels(httpUrl: string): Promise<string[]> {
  const failed: string[] = [];
  for (const { path, body } of REQUESTS) {
    const init: RequestInit = body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    const status = await fetch(httpUrl + path, { ...init, signal: AbortSignal.timeout(60_000) }).then(
      async (r) => (await r.arrayBuffer(), r.status),
      () => 0,
    );
    if (status !== 200) failed.push(`${path} (${status || 'no answer'})`);
  }
  return failed;
}
