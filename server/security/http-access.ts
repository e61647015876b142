// Access control for plain HTTP routes, installed on the root Fastify instance so it covers
// every route group (API, metrics, the browser client): requests for a Host name the server
// does not answer to are refused (421, DNS rebinding: host-allowlist.ts), browser requests from
// foreign origins are refused (403) on every route but the public ones — reads as well as writes,
// since recordings and metrics are data — and with tokens configured every request but the
// public ones needs a token (401) whose scope the route allows (403; route-scopes.ts). A page opened with a valid ?token= gets it as a same-site,
// HttpOnly cookie, so the browser client's later fetches and sockets carry it.
import type { FastifyInstance } from 'fastify';
import { Auth, queryToken, tokenCookie } from './auth.js';
import type { HostPolicy } from './host-allowlist.js';
import type { OriginPolicy } from './origin.js';
import { httpScope } from './route-scopes.js';
import { sendError } from '../http/error-shape.js';

/** Routes anyone may call: the liveness check. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/api/health']);

export function installHttpAccessControl(app: FastifyInstance, auth: Auth, origins: OriginPolicy, hosts: HostPolicy, secure: boolean): void {
  app.addHook('onRequest', async (req, reply) => {
    const hostProblem = hosts.check(req.headers.host);
    if (hostProblem) {
      return sendError(reply, 421, 'misdirected-request', hostProblem);
    }
    // The route that will run, not the URL as written: an absolute-form target
    // (GET http://host/api/recordings) runs /api/recordings too. No route (404): the URL's path.
    const path = req.routeOptions.url ?? req.url.split('?')[0]!;
    if (PUBLIC_PATHS.has(path)) return;
    const originProblem = origins.check(req.headers);
    if (originProblem) {
      return sendError(reply, 403, 'forbidden-origin', originProblem);
    }
    if (!auth.required) return;
    const token = auth.tokenOf(req.raw);
    const principal = auth.identify(token);
    if (!principal) {
      return sendError(
        reply.header('www-authenticate', 'Bearer realm="sensorium"'),
        401,
        'unauthorized',
        'a valid token is required: Authorization: Bearer <token>, or open the page with ?token=<token>',
      );
    }
    const scope = httpScope(req.method, path);
    if (scope !== 'any' && !principal.scopes.has(scope)) {
      return sendError(reply, 403, 'forbidden', `this token may not ${req.method} ${path.slice(0, 100)}: that needs a token with the ${scope} scope`);
    }
    if (queryToken(req.url) === token) reply.header('set-cookie', tokenCookie(token!, secure));
  });
}
