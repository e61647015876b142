// Access control for plain HTTP routes, installed on the root Fastify instance so it covers
// every route group (API, metrics, the browser client): browser requests from foreign origins
// that could change state are refused (403), and with tokens configured every request but the
// public ones needs a token (401). A page opened with a valid ?token= gets it as a same-site,
// HttpOnly cookie, so the browser client's later fetches and sockets carry it.
import type { FastifyInstance } from 'fastify';
import { Auth, queryToken, tokenCookie } from './auth.js';
import type { OriginPolicy } from './origin.js';

/** Routes anyone may call: the liveness check. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/api/health']);

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function installHttpAccessControl(app: FastifyInstance, auth: Auth, origins: OriginPolicy, secure: boolean): void {
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0]!;
    if (!SAFE_METHODS.has(req.method)) {
      const problem = origins.check(req.headers);
      if (problem) {
        return reply.code(403).serializer(JSON.stringify).type('application/json').send({ error: 'forbidden-origin', message: problem });
      }
    }
    if (!auth.required || PUBLIC_PATHS.has(path)) return;
    const token = auth.tokenOf(req.raw);
    if (!auth.accepts(token)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="sensorium"')
        .serializer(JSON.stringify)
        .type('application/json')
        .send({ error: 'unauthorized', message: 'a valid token is required: Authorization: Bearer <token>, or open the page with ?token=<token>' });
    }
    if (queryToken(req.url) === token) reply.header('set-cookie', tokenCookie(token!, secure));
  });
}
