// Expensive HTTP routes behind fair gates (fair-gate.ts), per client address (an IPv6 /64 counts
// as one; behind trusted proxies, the client they name). Image models (/api/gan, /api/vae, the
// convolution playground and digit routes) run on the event loop every socket shares: one such
// request at a time, round-robin between clients, and they take at most half of the loop's time.
// Text generation streams through the language model's step batcher, which typists share: one
// generation per client at a time, four in all. Requests wait their turn; a client with too many
// waiting gets 429 `busy`, a full gate 503 `overloaded`. Hooks run after validation (preHandler),
// so a malformed request is refused without waiting.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addressGroup, type ClientAddress } from '../security/client-address.js';
import { FairGate, type FairGateOptions } from './fair-gate.js';
import { sendError } from './error-shape.js';

export interface ExpensiveRouteLimits {
  images: FairGateOptions;
  textGenerate: FairGateOptions;
}

export const DEFAULT_EXPENSIVE_ROUTE_LIMITS: ExpensiveRouteLimits = {
  // A lab page asks for 3-4 images at once when it opens: they queue, none is refused.
  images: { maxRunning: 1, perClientRunning: 1, perClientQueued: 8, maxQueued: 64, dutyShare: 0.5, maxRestMs: 1000 },
  textGenerate: { maxRunning: 4, perClientRunning: 1, perClientQueued: 4, maxQueued: 32, dutyShare: 1 },
};

const IMAGE_ROUTE = /^\/api\/(gan|vae)\/|^\/api\/images\/(?!kernels$)/;
const TEXT_GENERATE_ROUTE = '/api/text/generate';

export function installExpensiveRouteGates(
  app: FastifyInstance,
  clientAddress: ClientAddress,
  limits: ExpensiveRouteLimits = DEFAULT_EXPENSIVE_ROUTE_LIMITS,
): { images: FairGate; textGenerate: FairGate } {
  const gates = { images: new FairGate(limits.images), textGenerate: new FairGate(limits.textGenerate) };
  app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    const route = req.routeOptions.url;
    if (route === undefined) return;
    const gate = route === TEXT_GENERATE_ROUTE ? gates.textGenerate : IMAGE_ROUTE.test(route) ? gates.images : undefined;
    if (!gate) return;
    const client = addressGroup(clientAddress.of(req.raw));
    const turn = await gate.enter(client);
    if ('refused' in turn) {
      const busy = turn.refused === 'client-busy';
      reply.header('retry-after', '1');
      return busy
        ? sendError(
            reply,
            429,
            'busy',
            `this client has ${gate === gates.images ? limits.images.perClientQueued : limits.textGenerate.perClientQueued} requests waiting for this kind of route already; wait for them`,
          )
        : sendError(reply, 503, 'overloaded', 'too many requests are waiting for this kind of route; try again later');
    }
    // Given back when the response ends or the connection goes, whichever comes first. A client
    // that left while it waited gets nothing run for it.
    if (reply.raw.destroyed || req.raw.socket.destroyed) {
      turn.release();
      return sendError(reply, 503, 'overloaded', 'the client left before its turn');
    }
    reply.raw.once('close', turn.release);
    reply.raw.once('finish', turn.release);
  });
  return gates;
}
