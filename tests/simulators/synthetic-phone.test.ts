import { describe, expect, it } from 'vitest';
import { parseHarLabel, type Recording } from '../../data/readers/recording.js';
import { ACTIVITIES, type Activity, type ActivityName } from '../../protocol/sensor-messages.js';
import { activitiesOf, PROFILES, type SimPlacement } from '../../simulators/activity-profiles.js';
import { parseScript, randomScript } from '../../simulators/activity-script.js';
import { createRandom } from '../../lib/random.js';
import { SyntheticPhone } from '../../simulators/synthetic-phone.js';
import { fitProfiles } from '../../simulators/tools/fit-gait-profiles.js';
import { angleDeg, type Vec3 } from '../../simulators/vec3.js';

const RATE = 50;

function record(activity: ActivityName, seed: number, seconds = 60, placement: SimPlacement = 'waist') {
  const phone = new SyntheticPhone({ seed, rateHz: RATE, script: [{ activity, seconds }], loop: false, placement });
  const s = phone.next(seconds * RATE);
  const mag = Array.from(s.x, (x, i) => Math.hypot(x, s.y[i]!, s.z[i]!));
  const mean = (v: ArrayLike<number>) => Array.from(v).reduce((a, b) => a + b, 0) / v.length;
  const m = mean(mag);
  const sd = Math.sqrt(mean(mag.map((v) => (v - m) ** 2)));
  return { s, mag, magMean: m, magSd: sd, meanVector: [mean(s.x), mean(s.y), mean(s.z)] as Vec3 };
}

/** Frequency (0.5-5 Hz) with the most power in the mean-removed signal, by a direct DFT scan. */
function dominantHz(signal: number[], rate: number): number {
  const m = signal.reduce((a, b) => a + b, 0) / signal.length;
  let best = 0;
  let bestHz = 0;
  for (let hz = 0.5; hz <= 5; hz += 0.01) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < signal.length; i++) {
      const ph = (2 * Math.PI * hz * i) / rate;
      re += (signal[i]! - m) * Math.cos(ph);
      im += (signal[i]! - m) * Math.sin(ph);
    }
    if (re * re + im * im > best) {
      best = re * re + im * im;
      bestHz = hz;
    }
  }
  return bestHz;
}

describe('synthetic phone signal model', () => {
  it("puts walking's dominant |a| frequency in the gait band for every simulated person", () => {
    for (let seed = 1; seed <= 12; seed++) {
      const { mag } = record('walking', seed, 30);
      const hz = dominantHz(mag, RATE);
      expect(hz).toBeGreaterThanOrEqual(1.6);
      expect(hz).toBeLessThanOrEqual(2.1);
    }
  });

  it('steps faster downstairs than upstairs, and harder on stairs than on the flat', () => {
    const up = record('upstairs', 7, 30);
    const down = record('downstairs', 7, 30);
    const walk = record('walking', 7, 30);
    expect(dominantHz(down.mag, RATE)).toBeGreaterThan(dominantHz(up.mag, RATE));
    expect(down.magSd).toBeGreaterThan(walk.magSd * 1.3);
    expect(up.magSd).toBeGreaterThan(walk.magSd);
  });

  it('reads about 1 g at rest, with little spread, in every posture', () => {
    for (const activity of ['sitting', 'standing', 'lying'] as const) {
      for (const seed of [11, 12, 13]) {
        const r = record(activity, seed, 20);
        expect(Math.abs(r.magMean - 1)).toBeLessThan(0.03);
        expect(r.magSd).toBeLessThan(0.05);
        expect(Math.abs(Math.hypot(...r.meanVector) - 1)).toBeLessThan(0.03);
      }
    }
  });

  it('moves clearly while walking and hardly at all in postures', () => {
    expect(record('walking', 3, 20).magSd).toBeGreaterThan(0.15);
    expect(record('standing', 3, 20).magSd).toBeLessThan(0.03);
  });

  it("gives each activity its own mean orientation: HAPT's, rotated by the phone's mount", () => {
    const means = ACTIVITIES.map((a) => {
      const phone = new SyntheticPhone({ seed: 21, script: [{ activity: a, seconds: 30 }], orientationJitterDeg: 0 });
      const s = phone.next(1500);
      const mean = (v: Float32Array) => v.reduce((x, y) => x + y, 0) / v.length;
      return [mean(s.x), mean(s.y), mean(s.z)] as Vec3;
    });
    ACTIVITIES.forEach((a, i) => expect(angleDeg(means[i]!, PROFILES[a].gravity), a).toBeLessThan(0.7));
    for (let i = 0; i < means.length; i++) {
      for (let j = i + 1; j < means.length; j++) {
        expect(angleDeg(means[i]!, means[j]!), `${ACTIVITIES[i]} vs ${ACTIVITIES[j]}`).toBeGreaterThan(1);
      }
    }
    // Upright activities differ by a few degrees (stairs up leans forward); postures a lot.
    const at = (a: Activity) => means[ACTIVITIES.indexOf(a)]!;
    expect(angleDeg(at('standing'), at('upstairs'))).toBeGreaterThan(5);
    expect(angleDeg(at('standing'), at('walking'))).toBeLessThan(10);
    expect(angleDeg(at('standing'), at('lying'))).toBeGreaterThan(45);
    expect(angleDeg(at('standing'), at('sitting'))).toBeGreaterThan(10);
  });

  it('mounts phones differently: the same activity reads differently on two phones', () => {
    const a = record('standing', 31, 10).meanVector;
    const b = record('standing', 32, 10).meanVector;
    expect(angleDeg(a, b)).toBeGreaterThan(1);
  });

  it('is reproducible from its seed and continues time and signal across calls', () => {
    const script = [{ activity: 'walking' as const, seconds: 10 }];
    const one = new SyntheticPhone({ seed: 5, script, startTimeMs: 1000 });
    const two = new SyntheticPhone({ seed: 5, script, startTimeMs: 1000 });
    const whole = one.next(100);
    const first = two.next(40);
    const rest = two.next(60);
    expect(Array.from(first.x).concat(Array.from(rest.x))).toEqual(Array.from(whole.x));
    expect(rest.t[0]).toBeCloseTo(1000 + 40 * 20, 6);
    expect(whole.t[99]! - whole.t[98]!).toBeCloseTo(20, 6);
    const other = new SyntheticPhone({ seed: 6, script }).next(100);
    expect(Array.from(other.x)).not.toEqual(Array.from(whole.x));
  });

  it('follows its script and labels big posture changes as transitions', () => {
    const phone = new SyntheticPhone({ seed: 2, script: parseScript('standing:5,lying:5,walking:5'), loop: false });
    const { labels } = phone.next(15 * RATE);
    expect(labels[4 * RATE]).toBe('standing');
    expect(labels[5 * RATE + 10]).toBe('transition');
    expect(labels[9 * RATE]).toBe('lying');
    expect(labels[10 * RATE + 10]).toBe('transition'); // lying -> walking gets up first
    expect(labels[14 * RATE]).toBe('walking');
  });

  it('draws random scripts of plausible segments and rejects bad scripts', () => {
    const script = randomScript(createRandom(3), 300);
    expect(script.reduce((s, x) => s + x.seconds, 0)).toBeGreaterThanOrEqual(300);
    for (const seg of script) expect(ACTIVITIES).toContain(seg.activity);
    expect(() => parseScript('flying:10')).toThrow(/unknown activity/);
    expect(() => parseScript('walking:-1')).toThrow(/bad duration/);
    expect(() => parseScript('')).toThrow(/empty/);
  });
});

describe('synthetic phone transitions', () => {
  it('stays finite and near 1 g through every change of activity', () => {
    for (const from of ACTIVITIES) {
      for (const to of ACTIVITIES) {
        const phone = new SyntheticPhone({
          seed: 9,
          script: [
            { activity: from, seconds: 3 },
            { activity: to, seconds: 3 },
          ],
          loop: false,
        });
        const s = phone.next(300);
        for (let i = 0; i < 300; i++) {
          const m = Math.hypot(s.x[i]!, s.y[i]!, s.z[i]!);
          expect(Number.isFinite(m), `${from} -> ${to} sample ${i}`).toBe(true);
          expect(m).toBeGreaterThan(0.2);
          expect(m).toBeLessThan(3);
        }
      }
    }
  });
});

describe('synthetic phone in a trouser pocket', () => {
  const LONG_AXIS: Vec3 = [0, 1, 0];
  /** Degrees between a vector and the phone's long axis, either way up. */
  const offLongAxis = (g: Vec3) => Math.min(angleDeg(g, LONG_AXIS), 180 - angleDeg(g, LONG_AXIS));
  const meanGravity = (activity: ActivityName, seed: number, opts: { crosswiseShare?: number } = {}) => {
    const phone = new SyntheticPhone({ seed, placement: 'pocket', script: [{ activity, seconds: 20 }], ...opts });
    const s = phone.next(1000);
    const mean = (v: Float32Array) => v.reduce((x, y) => x + y, 0) / v.length;
    return { g: [mean(s.x), mean(s.y), mean(s.z)] as Vec3, traits: phone.traits };
  };
  const SEEDS = Array.from({ length: 24 }, (_, i) => 300 + i);

  it('puts gravity along the long axis when upright and across it when seated or lying', () => {
    for (const seed of SEEDS) {
      // The fitted tilts (pocket data: 8-25 degrees upright, 70 seated) plus up to 10 degrees of slant.
      for (const a of ['standing', 'walking', 'jogging'] as const) expect(offLongAxis(meanGravity(a, seed, { crosswiseShare: 0 }).g), `${a} seed ${seed}`).toBeLessThan(40);
      expect(offLongAxis(meanGravity('sitting', seed, { crosswiseShare: 0 }).g), `sitting seed ${seed}`).toBeGreaterThan(55);
      expect(offLongAxis(meanGravity('lying', seed, { crosswiseShare: 0 }).g), `lying seed ${seed}`).toBeGreaterThan(75);
    }
  });

  it('turns the phone any way about the thigh: upside down or not, screen in, out or sideways', () => {
    const standingUp = new Set<boolean>();
    const seatedQuadrants = new Set<string>();
    for (const seed of SEEDS) {
      const { g, traits } = meanGravity('standing', seed, { crosswiseShare: 0 });
      standingUp.add(g[1] > 0);
      expect(g[1] > 0).toBe(!traits.pocket!.upsideDown);
      const seated = meanGravity('sitting', seed, { crosswiseShare: 0 }).g;
      seatedQuadrants.add(`${Math.sign(seated[0])}${Math.sign(seated[2])}`);
    }
    expect([...standingUp].sort()).toEqual([false, true]);
    // Seated, gravity falls across the phone in every direction around its long axis.
    expect(seatedQuadrants.size).toBe(4);
  });

  it('lays a crosswise phone with its x axis along the thigh', () => {
    for (const seed of SEEDS.slice(0, 8)) {
      const { g, traits } = meanGravity('standing', seed, { crosswiseShare: 1 });
      expect(traits.pocket!.crosswise).toBe(true);
      expect(Math.min(angleDeg(g, [1, 0, 0]), angleDeg(g, [-1, 0, 0])), `seed ${seed}`).toBeLessThan(40);
    }
    // By default about as often as in the pocket data (WISDM 28%, MobiFall 1% of upright chunks).
    const share = SEEDS.filter((seed) => new SyntheticPhone({ seed, placement: 'pocket' }).traits.pocket!.crosswise).length / SEEDS.length;
    expect(share).toBeLessThan(0.5);
  });

  it('walks at a walking cadence and jogs faster and harder', () => {
    // In real pocket walking the step (1.2-2.2 Hz) is the strongest line of |a| in most 30 s
    // stretches, not all (WISDM 44 of 56, MobiFall 75 of 82: a thigh also shows its stride).
    const walkHz = SEEDS.slice(0, 20).map((seed) => dominantHz(record('walking', seed, 30, 'pocket').mag, RATE));
    expect(walkHz.filter((hz) => hz >= 1.2 && hz <= 2.2).length, walkHz.join(' ')).toBeGreaterThanOrEqual(16);
    for (const seed of [41, 42, 43, 44]) {
      const walk = record('walking', seed, 30, 'pocket');
      const jog = record('jogging', seed, 30, 'pocket');
      expect(dominantHz(jog.mag, RATE)).toBeGreaterThan(2.2);
      expect(jog.magSd).toBeGreaterThan(walk.magSd * 1.3);
      expect(walk.magSd).toBeGreaterThan(0.15);
      expect(record('standing', seed, 20, 'pocket').magSd).toBeLessThan(0.02);
    }
  });

  it('is reproducible from its seed, placement included', () => {
    const one = new SyntheticPhone({ seed: 77, placement: 'pocket' });
    const two = new SyntheticPhone({ seed: 77, placement: 'pocket' });
    expect(two.traits).toEqual(one.traits);
    expect(two.script).toEqual(one.script);
    expect(Array.from(two.next(500).y)).toEqual(Array.from(one.next(500).y));
    const other = new SyntheticPhone({ seed: 78, placement: 'pocket' });
    expect(other.traits.pocket).not.toEqual(one.traits.pocket);
    const waist = new SyntheticPhone({ seed: 77, placement: 'waist' });
    expect(waist.traits.pocket).toBeUndefined();
    expect(Array.from(waist.next(500).y)).not.toEqual(Array.from(new SyntheticPhone({ seed: 77, placement: 'pocket' }).next(500).y));
  });

  it('jogs only where a profile exists: pocket scripts include it, waist phones refuse it', () => {
    expect(activitiesOf('pocket')).toContain('jogging');
    expect(activitiesOf('waist')).not.toContain('jogging');
    const pocketActivities = new Set(SEEDS.flatMap((seed) => new SyntheticPhone({ seed, placement: 'pocket' }).script.map((s) => s.activity)));
    expect(pocketActivities.has('jogging')).toBe(true);
    const waistActivities = new Set(SEEDS.flatMap((seed) => new SyntheticPhone({ seed }).script.map((s) => s.activity)));
    expect(waistActivities.has('jogging')).toBe(false);
    expect(() => new SyntheticPhone({ seed: 1, placement: 'waist', script: parseScript('jogging:10') })).toThrow(/waist phone cannot do jogging/);
  });
});

describe('the profile fit, on synthetic pocket phones', () => {
  /** A synthetic phone's output as a recording (labels: the scripted activity; transitions unlabelled). */
  function recording(seed: number, script: string, crosswiseShare: number): Recording {
    const phone = new SyntheticPhone({ seed, placement: 'pocket', script: parseScript(script), loop: false, crosswiseShare });
    const n = phone.script.reduce((s, seg) => s + seg.seconds, 0) * RATE;
    const s = phone.next(n);
    return { id: `phone-${seed}`, t: s.t, x: s.x, y: s.y, z: s.z, labels: s.labels.map((l) => parseHarLabel(l)), user: seed };
  }

  it('recovers the posture tilts, the cadence and the crosswise share the phones were made with', () => {
    const recs = [1, 2, 3, 4, 5, 6].map((seed) => recording(400 + seed, 'standing:30,sitting:30,walking:30', 0));
    const fit = fitProfiles('wisdm2019', recs);
    if (fit.placement !== 'pocket') throw new Error('expected a pocket fit');
    // Made with: standing 8-14 degrees, sitting 70.5, plus up to 10 degrees of slant.
    expect(fit.tiltDeg.standing).toBeLessThan(25);
    expect(fit.tiltDeg.sitting).toBeGreaterThan(58);
    expect(fit.tiltDeg.sitting).toBeLessThan(82);
    expect(fit.crosswiseShare).toBe(0);
    // Made with strides of 0.88-0.95 Hz times a personal cadence of 0.94-1.15.
    expect(fit.gait.walking!.strideHz).toBeGreaterThan(0.8);
    expect(fit.gait.walking!.strideHz).toBeLessThan(1.1);
    // The step on the vertical axis (harmonic 2, aligned to phase 0), made with 0.23-0.28 g.
    const [stepRe, stepIm] = fit.gait.walking!.coef[0]![1]!;
    expect(stepRe).toBeGreaterThan(0.2);
    expect(stepRe).toBeLessThan(0.32);
    expect(stepIm).toBeCloseTo(0, 6);
    // Still postures: spread a few thousandths of a g, as fitted from the pocket data.
    expect(fit.stillness.sitting!.sd).toBeLessThan(0.01);
    const crosswise = fitProfiles(
      'wisdm2019',
      [1, 2].map((seed) => recording(400 + seed, 'standing:20,walking:20', 1)),
    );
    expect(crosswise.placement === 'pocket' && crosswise.crosswiseShare).toBe(1);
  });
});
