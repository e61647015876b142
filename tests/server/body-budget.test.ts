// Request-body bytes per client address (server/http/body-budget.ts): a client owing nothing may
// send one body of any size, then waits until it is paid for; other clients are not affected;
// refusals come before the body is read, as 429 rate-limited with Retry-After.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { BodyBudget, installBodyBudget } from '../../server/http/body-budget.js';
import { ClientAddress } from '../../server/security/client-address.js';

describe('BodyBudget', () => {
  it('lets a client owing nothing send one large body, then refuses it until the bytes are paid for', () => {
    let now = 0;
    const budget = new BodyBudget({ bytesPerSec: 1000, now: () => now });
    expect(budget.charge('a', 10_000)).toEqual({ ok: true });
    // It owes 8,000 (2,000 of credit): 8 s at 1,000 bytes/s.
    expect(budget.charge('a', 1)).toEqual({ ok: false, retryAfterSec: 8 });
    expect(budget.charge('b', 500)).toEqual({ ok: true });
    now = 7_900;
    expect(budget.charge('a', 1).ok).toBe(false);
    now = 8_000;
    expect(budget.charge('a', 1).ok).toBe(true);
  });

  it('keeps small bodies flowing within the rate, and saves up at most two seconds of it', () => {
    let now = 0;
    const budget = new BodyBudget({ bytesPerSec: 1000, now: () => now });
    let accepted = 0;
    for (let t = 0; t < 10_000; t += 100) {
      now = t;
      if (budget.charge('a', 100).ok) accepted++;
    }
    expect(accepted).toBe(100);
    now = 1_000_000;
    // Credit is capped at 2,000 bytes: 2,000 then one more (the balance may go negative once).
    let burst = 0;
    while (budget.charge('a', 500).ok) burst++;
    expect(burst).toBe(5);
  });

  it('remembers a bounded number of clients, forgetting those that owe nothing first', () => {
    let now = 0;
    const budget = new BodyBudget({ bytesPerSec: 1000, maxClients: 3, now: () => now });
    budget.charge('debtor', 100_000);
    for (const c of ['x', 'y', 'z', 'w']) budget.charge(c, 10);
    expect(budget.clients).toBeLessThanOrEqual(3);
    now = 1000;
    expect(budget.charge('debtor', 1).ok).toBe(false);
  });
});

describe('installBodyBudget', () => {
  it('answers 429 with Retry-After before the route sees the body; GETs and other clients pass', async () => {
    const app = Fastify();
    let handled = 0;
    installBodyBudget(app, new ClientAddress([]), new BodyBudget({ bytesPerSec: 1024 }));
    app.post('/echo', async (req) => {
      handled++;
      return { got: JSON.stringify(req.body).length };
    });
    app.get('/ping', async () => ({ ok: true }));
    const big = JSON.stringify({ pad: 'x'.repeat(50_000) });
    const first = await app.inject({ method: 'POST', url: '/echo', payload: big, headers: { 'content-type': 'application/json' }, remoteAddress: '10.0.0.1' });
    expect(first.statusCode).toBe(200);
    const second = await app.inject({ method: 'POST', url: '/echo', payload: big, headers: { 'content-type': 'application/json' }, remoteAddress: '10.0.0.1' });
    expect(second.statusCode).toBe(429);
    expect(second.json()).toMatchObject({ error: 'rate-limited' });
    expect(Number(second.headers['retry-after'])).toBeGreaterThanOrEqual(40);
    expect(handled).toBe(1);
    expect((await app.inject({ method: 'GET', url: '/ping', remoteAddress: '10.0.0.1' })).statusCode).toBe(200);
    const other = await app.inject({ method: 'POST', url: '/echo', payload: big, headers: { 'content-type': 'application/json' }, remoteAddress: '10.0.0.2' });
    expect(other.statusCode).toBe(200);
    await app.close();
  });
});

describe('installBodyBudget and route limits', () => {
  it('charges nothing for a body over the route limit (refused 413 unread)', async () => {
    const app = Fastify();
    installBodyBudget(app, new ClientAddress([]), new BodyBudget({ bytesPerSec: 1024 }));
    app.post('/small', { bodyLimit: 1000 }, async () => ({ ok: true }));
    const over = await app.inject({ method: 'POST', url: '/small', payload: JSON.stringify({ pad: 'x'.repeat(5000) }), headers: { 'content-type': 'application/json' } });
    expect(over.statusCode).toBe(413);
    // Still owes nothing: a body within the limit passes.
    const ok = await app.inject({ method: 'POST', url: '/small', payload: '{"a":1}', headers: { 'content-type': 'application/json' } });
    expect(ok.statusCode).toBe(200);
    await app.close();
  });
});
