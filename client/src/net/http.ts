// JSON over HTTP with errors worth showing: the server's own message when it sends one.

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** What the server said, without the request line (for messages shown once per cause). */
    readonly serverMessage: string = message,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

async function parse<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const serverMessage =
      typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string'
        ? (body as { message: string }).message
        : text.slice(0, 200) || res.statusText;
    throw new HttpError(res.status, `${what} failed (${res.status}): ${serverMessage}`, serverMessage);
  }
  return body as T;
}

export async function getJson<T>(path: string, init?: RequestInit): Promise<T> {
  return parse<T>(await fetch(path, { ...init, headers: { accept: 'application/json' } }), `GET ${path}`);
}

export async function postJson<T>(path: string, body: unknown, init?: RequestInit): Promise<T> {
  const res = await fetch(path, {
    ...init,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  return parse<T>(res, `POST ${path}`);
}
