// Expensive HTTP routes take turns: one client's pile of requests waits behind its own, another
// client is served in between, a client with too many waiting gets 429, and the image routes rest
// between requests so that they take at most their share of the event loop.
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { FairGate } from '../../server/http/fair-gate.js';
import { installExpensiveRouteGates } from '../../server/http/expensive-routes.js';
import { ClientAddress } from '../../server/security/client-address.js';

describe('FairGate', () => {
  it('lets clients in round-robin, one running each, and refuses a client with too many waiting', async () => {
    const gate = new FairGate({ maxRunning: 1, perClientRunning: 1, perClientQueued: 3, maxQueued: 10, dutyShare: 1 });
    const order: string[] = [];
    const run = async (client: string, tag: string) => {
      const turn = await gate.enter(client);
      if ('refused' in turn) return turn.refused;
      order.push(tag);
      await sleep(5);
      turn.release();
      return 'ran';
    };
    // a1 runs at once, a2-a4 wait (3), a5 is refused.
    const results = await Promise.all([run('a', 'a1'), run('a', 'a2'), run('a', 'a3'), run('a', 'a4'), run('a', 'a5'), run('b', 'b1'), run('b', 'b2')]);
    expect(results).toEqual(['ran', 'ran', 'ran', 'ran', 'client-busy', 'ran', 'ran']);
    // Turns alternate: a2 came before b1 (a1 had already left the queue), then b1, a3, b2, a4.
    expect(order).toEqual(['a1', 'a2', 'b1', 'a3', 'b2', 'a4']);
    expect(gate.runningCount).toBe(0);
    expect(gate.queuedCount).toBe(0);
  });

  it('refuses when the whole gate is full', async () => {
    const gate = new FairGate({ maxRunning: 1, perClientRunning: 1, perClientQueued: 5, maxQueued: 2, dutyShare: 1 });
    const first = await gate.enter('a');
    const waiting = [gate.enter('b'), gate.enter('c')];
    expect(await gate.enter('d')).toEqual({ refused: 'gate-full' });
    if ('release' in first) first.release();
    for (const w of waiting) {
      const t = await w;
      if ('release' in t) t.release();
    }
  });

  it('rests after each request so gated work takes at most its share of the time', async () => {
    let now = 0;
    const gate = new FairGate({ maxRunning: 1, perClientRunning: 1, perClientQueued: 5, maxQueued: 10, dutyShare: 0.5, maxRestMs: 1000, now: () => now });
    const first = await gate.enter('a');
    let secondIn = false;
    const second = gate.enter('b').then((t) => {
      secondIn = true;
      return t;
    });
    now = 40; // the first request took 40 ms: the gate rests 40 ms, until 80
    if ('release' in first) first.release();
    await sleep(60); // the rest timer fires (real time) and finds the rest not over (now = 40)
    expect(secondIn).toBe(false);
    now = 81;
    await sleep(100); // it fires again and finds the rest over
    expect(secondIn).toBe(true);
    const t = await second;
    if ('release' in t) t.release();
  });
});

describe('expensive route gates on a Fastify server', () => {
  it("queue one client's image requests, serve another client in between, 429 beyond the queue", async () => {
    const app = Fastify();
    const gates = installExpensiveRouteGates(app, new ClientAddress(['127.0.0.1']), {
      images: { maxRunning: 1, perClientRunning: 1, perClientQueued: 2, maxQueued: 10, dutyShare: 1 },
      textGenerate: { maxRunning: 1, perClientRunning: 1, perClientQueued: 1, maxQueued: 10, dutyShare: 1 },
    });
    let running = 0;
    let most = 0;
    const served: string[] = [];
    app.get('/api/gan/dcgan/sample', async (req) => {
      running++;
      most = Math.max(most, running);
      await sleep(30);
      running--;
      served.push(String(req.headers['x-forwarded-for']));
      return { ok: true };
    });
    app.get('/api/images/kernels', async () => ({ cheap: true }));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      // The trusted "proxy" 127.0.0.1 names two clients: 10.0.0.1 sends 5 at once, 10.0.0.2 one.
      const get = (client: string, path = '/api/gan/dcgan/sample') => fetch(url + path, { headers: { 'x-forwarded-for': client } });
      const first = Array.from({ length: 3 }, () => get('10.0.0.1'));
      while (gates.images.queuedCount < 2) await sleep(2); // 1 running, 2 waiting
      const other = get('10.0.0.2');
      while (gates.images.queuedCount < 3) await sleep(2);
      const beyond = await Promise.all([get('10.0.0.1'), get('10.0.0.1')]);
      expect(beyond.map((r) => r.status)).toEqual([429, 429]);
      const cheap = await get('10.0.0.1', '/api/images/kernels'); // not gated: answered at once
      expect(cheap.status).toBe(200);
      expect((await Promise.all([...first, other])).map((r) => r.status)).toEqual([200, 200, 200, 200]);
      const refused = await beyond[0]!.json();
      expect(refused.error).toBe('busy');
      expect(most).toBe(1);
      // The second client did not wait behind all of the first client's requests.
      expect(served.indexOf('10.0.0.2')).toBeLessThan(served.length - 1);
    } finally {
      await app.close();
    }
  });
});
