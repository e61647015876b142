// The one shape of every HTTP error: `{"error": "<kebab-code>", "message": "..."}` with the
// route's status. Defined here once: routes and hooks reply with sendError, and the root error
// and not-found handlers (installErrorShape, before any plugin registers, so every plugin
// inherits them) turn Fastify's own errors — schema validation, bad JSON, too-large bodies,
// unknown routes — into the same shape. Some routes add context fields beside the two
// (the Sensor Logger push adds its counts); `error` and `message` are always there.
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface ErrorBody {
  /** Machine-readable, kebab-case: 'not-found', 'invalid-request', 'unknown-recording'… */
  error: string;
  /** For people: what went wrong and, where it helps, what to do. */
  message: string;
}

/** JSON schema of ErrorBody, for routes' `response` schemas (and so the OpenAPI description). */
export const errorBodySchema = {
  type: 'object',
  required: ['error', 'message'],
  properties: { error: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' }, message: { type: 'string' } },
} as const;

/**
 * Sends the error shape. The JSON.stringify serializer skips the route's response schema, so a
 * hook (access control, fair gates) can answer any route with it.
 */
export function sendError(reply: FastifyReply, status: number, error: string, message: string): FastifyReply {
  return reply
    .code(status)
    .serializer(JSON.stringify)
    .type('application/json; charset=utf-8')
    .send({ error, message } satisfies ErrorBody);
}

/** A kebab code for a status without a more specific one: 404 -> 'not-found'. */
export function statusCode(status: number): string {
  return (STATUS_CODES[status] ?? 'error')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** The status, code and message Fastify's own errors (and bugs) answer with. */
export function describeError(err: FastifyError | Error): { status: number; body: ErrorBody } {
  const fe = err as FastifyError;
  if (fe.validation) return { status: 400, body: { error: 'invalid-request', message: fe.message } };
  const status = fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 600 ? fe.statusCode : 500;
  if (status === 413) return { status, body: { error: 'too-large', message: `the body is larger than this route accepts (${fe.message})` } };
  if (status === 415) return { status, body: { error: 'unsupported-media-type', message: fe.message } };
  if (fe.code?.startsWith('FST_ERR_CTP_')) return { status, body: { error: 'invalid-body', message: fe.message } };
  // A bug's message may name internals: it goes to the log, not to the caller.
  if (status >= 500)
    return { status, body: { error: status === 500 ? 'internal' : statusCode(status), message: status === 500 ? 'the server failed to handle this request (see its log)' : fe.message } };
  return { status, body: { error: statusCode(status), message: fe.message } };
}

function notFound(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(reply, 404, 'not-found', `no route ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}`);
}

/**
 * Root error and not-found handlers, and the 503 of a server shutting down; call before
 * registering plugins (they inherit the error handler) and before any other onRequest hook.
 * The server is built with `return503OnClosing: false`: Fastify's own 503 has another shape.
 */
export function installErrorShape(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    const { status, body } = describeError(err);
    if (status >= 500) req.log.error(err);
    return sendError(reply, status, body.error, body.message);
  });
  app.setNotFoundHandler(notFound);
  // While it shuts down (device pipelines drain first) every request is refused, /api/health
  // included, so a load balancer moves on; the connection is not kept.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_req, reply) => {
    if (closing) return sendError(reply.header('connection', 'close'), 503, 'shutting-down', 'the server is shutting down; try again on another or in a moment');
  });
}

/** A plain GET on a WebSocket path: say what to do instead of a bare 404. */
export const upgradeRequired = {
  schema: { response: { 426: errorBodySchema } },
  handler: async (_req: FastifyRequest, reply: FastifyReply) => sendError(reply, 426, 'upgrade-required', 'this endpoint speaks WebSocket; connect with a WebSocket client'),
};
