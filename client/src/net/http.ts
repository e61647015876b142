// JSON over HTTP with errors worth showing: the server's own message when it sends one. Every
// server error is `{"error": "<kebab-code>", "message": "..."}` (server/http/error-shape.ts).

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** What the server said, without the request line (for messages shown once per cause). */
    readonly serverMessage: string = message,
    /** The server's error code ('not-found', 'recording-active'…), when it sent one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The HttpError of a failed response, from the text of its body (`what`: the request, for the message). */
export function httpError(res: Response, text: string, what: string): HttpError {
  let body: { error?: unknown; message?: unknown } | undefined;
  try {
    body = text ? (JSON.parse(text) as typeof body) : undefined;
  } catch {
    body = undefined;
  }
  const serverMessage = typeof body?.message === 'string' ? body.message : text.slice(0, 200) || res.statusText;
  return new HttpError(res.status, `${what} failed (${res.status}): ${serverMessage}`, serverMessage, typeof body?.error === 'string' ? body.error : undefined);
}

async function parse<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw httpError(res, text, what);
  return (text ? JSON.parse(text) : undefined) as T;
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
