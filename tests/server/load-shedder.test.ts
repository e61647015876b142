// Ingestion overload: while the event loop stays far behind, the newest devices are shed with an
// `overloaded` error and close 1013, and new devices are refused; once it is back, they are admitted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../protocol/close-codes.js';
import { LoadShedder, type LoadShedderOptions, type Sheddable } from '../../server/devices/load-shedder.js';
import { startTestServer, TestClient, type TestServer } from './helpers.js';

const OPTS: LoadShedderOptions = { highLagMs: 150, lowLagMs: 50, checkMs: 60_000, patience: 2, shedFraction: 0.1, highRejectedShare: 0.1, maxShedFraction: 0.25, minDevices: 5 };

function fleet(n: number) {
  const shed: number[] = [];
  const devices: Sheddable[] = Array.from({ length: n }, (_, i) => ({ connectedAt: 1000 + i, shed: () => shed.push(i) }));
  return { devices, shed };
}

describe('LoadShedder', () => {
  it('sheds the newest share of devices only after `patience` high checks, and admits again when the loop is back', () => {
    const { devices, shed } = fleet(30);
    const events: boolean[] = [];
    const s = new LoadShedder(
      () => devices,
      OPTS,
      (e) => events.push(e.overloaded),
    );
    try {
      s.check(400); // one slow interval (a GC pause, say) is not overload
      expect(shed).toEqual([]);
      expect(s.overloaded).toBe(false);
      s.check(400);
      expect(shed).toEqual([29, 28, 27]); // 10% of 30, newest first
      expect(s.overloaded).toBe(true);
      s.check(100); // between the marks: no more shedding, still overloaded
      expect(shed).toHaveLength(3);
      expect(s.overloaded).toBe(true);
      s.check(20);
      expect(s.overloaded).toBe(false);
      expect(events).toEqual([true, false]);
      expect(s.shedCount).toBe(3);
    } finally {
      s.stop();
    }
  });

  it('judges a check timer that is overdue from the frames themselves (timers starve on a loop busy with sockets)', () => {
    const { devices, shed } = fleet(30);
    const s = new LoadShedder(() => devices, { ...OPTS, checkMs: 1000 });
    try {
      const t0 = performance.now();
      s.poke(t0 + 1100); // 100 ms late: within highLagMs, nothing to judge
      expect(s.lastLagMs).toBe(0);
      s.poke(t0 + 1000 + 2000); // its timer is 2 s late: that is the loop's delay
      expect(s.lastLagMs).toBeGreaterThan(1900);
      s.poke(performance.now() + 1000 + 2000);
      expect(shed).toEqual([29, 28, 27]);
    } finally {
      s.stop();
    }
  });

  it('sheds as large a share as the windows the inference queue turns away (at most maxShedFraction), even with a prompt loop', () => {
    const { devices, shed } = fleet(40);
    let counts = { served: 0, rejected: 0 };
    const s = new LoadShedder(
      () => devices,
      OPTS,
      undefined,
      () => counts,
    );
    try {
      counts = { served: 800, rejected: 200 }; // 20% turned away
      s.check(10);
      expect(shed).toEqual([]); // patience
      counts = { served: 1600, rejected: 400 };
      s.check(10);
      expect(shed).toHaveLength(8); // 20% of 40
      counts = { served: 1700, rejected: 1300 }; // 90% turned away: capped at 25%
      s.check(10);
      expect(shed).toHaveLength(8 + 10);
      counts = { served: 2700, rejected: 1300 }; // nothing turned away, loop prompt: admit again
      s.check(10);
      expect(s.overloaded).toBe(false);
    } finally {
      s.stop();
    }
  });

  it('during a connection storm refuses newcomers first, and sheds only if the loop stays behind once nobody joins', () => {
    const s = new LoadShedder(undefined, OPTS);
    const shed: number[] = [];
    const join = (i: number) => s.track({ connectedAt: 1000 + i, shed: () => shed.push(i) });
    try {
      for (let i = 0; i < 20; i++) join(i);
      s.check(400);
      for (let i = 20; i < 30; i++) join(i); // still arriving as patience runs out
      s.check(400);
      expect(shed).toEqual([]);
      expect(s.overloaded).toBe(true); // newcomers are refused from now on
      s.check(400); // nobody joined, the loop is still behind: now it is overload
      expect(shed).toEqual([29, 28, 27]);
    } finally {
      s.stop();
    }
  });

  it('a storm that passes costs no device', () => {
    const s = new LoadShedder(undefined, OPTS);
    const shed: number[] = [];
    try {
      for (let i = 0; i < 30; i++) s.track({ connectedAt: 1000 + i, shed: () => shed.push(i) });
      s.check(400);
      s.check(400);
      expect(s.overloaded).toBe(true);
      s.check(20);
      expect(s.overloaded).toBe(false);
      expect(shed).toEqual([]);
    } finally {
      s.stop();
    }
  });

  it('never sheds a small fleet: the lag has another cause then', () => {
    const { devices, shed } = fleet(4);
    const s = new LoadShedder(() => devices, OPTS);
    try {
      for (let i = 0; i < 5; i++) s.check(1000);
      expect(shed).toEqual([]);
      expect(s.overloaded).toBe(false);
    } finally {
      s.stop();
    }
  });
});

describe('load shedding on /ws/device', () => {
  let srv: TestServer;
  const clients: TestClient[] = [];
  beforeAll(async () => {
    srv = await startTestServer({ maxDevices: 500, inferenceWorker: 'off' });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await srv?.close();
  });

  async function device(id: string): Promise<TestClient> {
    const c = await TestClient.connect(srv.wsUrl('/ws/device'));
    clients.push(c);
    c.send({ type: 'hello', deviceId: id, rateHz: 50, units: 'g' });
    await c.until((ms) => ms.some((m) => m.type === 'welcome' || m.type === 'error'), 10_000, 'an answer to hello');
    return c;
  }

  it('closes the newest devices with overloaded + 1013, refuses new ones while overloaded, admits after', async () => {
    for (let i = 0; i < 100; i++) await device(`d-${String(i).padStart(3, '0')}`);
    const { shedder } = srv.server.parts;
    shedder.stop(); // this test judges the intervals itself: the real timer would see an idle loop
    shedder.check(5); // the devices above joined during a calm interval (no storm to ride out)
    shedder.check(1000);
    shedder.check(1000); // default: 5% of 100 after two high checks
    const shed = clients.slice(-5);
    await Promise.all(shed.map((c) => c.closed));
    for (const c of shed) {
      expect(c.closeCode).toBe(CloseCode.tryAgainLater);
      expect(c.of('error')).toEqual([expect.objectContaining({ code: 'overloaded', message: expect.stringMatching(/overloaded .*try again later/) })]);
    }
    expect(clients.slice(0, 95).every((c) => c.closeCode === undefined)).toBe(true);
    for (let i = 0; i < 100 && srv.server.parts.registry.size > 95; i++) await new Promise((r) => setTimeout(r, 20));
    expect(srv.server.parts.registry.size).toBe(95); // their sessions ended with the sockets

    const refused = await device('late-comer');
    await refused.closed;
    expect(refused.closeCode).toBe(CloseCode.tryAgainLater);
    expect(refused.of('error')[0]).toMatchObject({ code: 'overloaded' });

    shedder.check(5);
    const admitted = await device('late-comer-2');
    expect(admitted.of('welcome')).toHaveLength(1);
  });
});
