// A labelled "person" for the calibration tests: each activity has its own gravity direction and
// rhythm (so even an untrained network's features tell them apart once a head is fitted), sent as
// labelled samples frames like a replay would.
import type { TestClient } from './helpers.js';

const STYLE: Record<string, { g: [number, number, number]; hz: number; amp: number }> = {
  walking: { g: [0.2, 0.95, 0.1], hz: 1.8, amp: 0.45 },
  sitting: { g: [0.9, 0.3, 0.3], hz: 0.2, amp: 0.02 },
  standing: { g: [0.05, 0.99, 0.05], hz: 0.3, amp: 0.03 },
  lying: { g: [0.1, 0.1, 0.99], hz: 0.2, amp: 0.02 },
  jogging: { g: [0.3, 0.9, 0.2], hz: 2.8, amp: 1.1 },
  cycling: { g: [0.5, 0.8, 0.2], hz: 1.2, amp: 0.3 },
};

/** Frames of `seconds` of `activity` at 50 Hz, 25 samples each, labelled (or not), starting at `t0` ms. */
export function activityFrames(activity: string, seconds: number, t0: number, opts: { labelled?: boolean; firstSeq?: number } = {}) {
  const s = STYLE[activity]!;
  const frames: Record<string, unknown>[] = [];
  const n = Math.round(seconds * 50);
  for (let from = 0, seq = opts.firstSeq ?? 0; from < n; from += 25, seq++) {
    const t: number[] = [];
    const x: number[] = [];
    const y: number[] = [];
    const z: number[] = [];
    for (let i = from; i < Math.min(n, from + 25); i++) {
      const ms = t0 + i * 20;
      const w = Math.sin((2 * Math.PI * s.hz * ms) / 1000);
      t.push(ms);
      x.push(s.g[0] + s.amp * 0.5 * w);
      y.push(s.g[1] + s.amp * w);
      z.push(s.g[2] + s.amp * 0.3 * Math.cos((2 * Math.PI * s.hz * ms) / 500));
    }
    const frame: Record<string, unknown> = { type: 'samples', seq, t, x, y, z };
    if (opts.labelled !== false) frame.labels = t.map(() => activity);
    frames.push(frame);
  }
  return frames;
}

/** Streams [activity, seconds] segments one after another; returns the next seq and time. */
export async function stream(client: TestClient, segments: [string, number][], start: { seq: number; t: number }, labelled = true): Promise<{ seq: number; t: number }> {
  let { seq, t } = start;
  for (const [activity, seconds] of segments) {
    for (const f of activityFrames(activity, seconds, t, { labelled, firstSeq: seq })) {
      client.send(f);
      seq++;
    }
    t += seconds * 1000;
    // Let the server keep up (the rate limit allows bursts of 8000 samples, then 400/s).
    await new Promise((r) => setTimeout(r, 20));
  }
  return { seq, t };
}

type Status = Record<string, unknown> & { state: string; personal: boolean; collected: Record<string, { windows: number }>; error?: { code: string; message: string } };

/** The newest calibration-status. */
export function lastStatus(client: TestClient): Status {
  return client.of('calibration-status').at(-1) as unknown as Status;
}

/** Waits for a calibration-status after the `n` already seen that satisfies `ok`. */
export async function nextStatus(client: TestClient, seen: number, ok: (s: Status) => boolean = () => true, what = 'calibration status'): Promise<Status> {
  await client.until(
    (ms) =>
      ms
        .filter((m) => m.type === 'calibration-status')
        .slice(seen)
        .some((m) => ok(m as unknown as Status)),
    20_000,
    what,
  );
  return client
    .of('calibration-status')
    .slice(seen)
    .find((m) => ok(m as unknown as Status)) as unknown as Status;
}
