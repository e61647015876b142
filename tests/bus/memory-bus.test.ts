// The in-process bus passes the contract, and what only it promises: zero copy.
import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../../server/bus/memory-bus.js';
import { busContract, waitFor } from './bus-contract.js';

busContract('memory', async () => {
  const bus = new MemoryBus();
  return { client: async () => bus, dispose: () => bus.close() };
});

describe('memory bus', () => {
  it('hands every subscriber the very payload published (zero copy) and the reply requested', async () => {
    const bus = new MemoryBus();
    const payload = { window: new Float32Array(384) };
    const seen: unknown[] = [];
    bus.subscribe('sensorium.zero', (p) => void seen.push(p));
    bus.subscribe('sensorium.>', (p) => void seen.push(p));
    bus.publish('sensorium.zero', payload);
    await waitFor(() => seen.length === 2);
    expect(seen[0]).toBe(payload);
    expect(seen[1]).toBe(payload);
    const reply = { probs: new Float32Array(6) };
    bus.subscribe('sensorium.ask', () => reply);
    await expect(bus.request('sensorium.ask', payload, { timeoutMs: 1_000 })).resolves.toBe(reply);
    await bus.close();
  });

  it('rejects requests still waiting when it closes', async () => {
    const bus = new MemoryBus();
    bus.subscribe('sensorium.never', () => undefined);
    const pending = bus.request('sensorium.never', 1, { timeoutMs: 10_000 });
    await bus.close();
    await expect(pending).rejects.toMatchObject({ code: 'closed' });
  });
});
