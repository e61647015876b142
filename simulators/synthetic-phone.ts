// A synthetic waist-worn phone: 3-axis acceleration in g (gravity included) for a scripted
// sequence of activities. Per activity (activity-profiles.ts, fitted to HAPT): gravity direction
// (posture tilt) and, for gait, the mean gait cycle replayed at a personal cadence with
// step-to-step variation; postural micro-movement, breathing and sensor noise when still.
// Per phone: a random mounting rotation, gait strength, cadence, gait shape and noise level.
// Between activities the posture blends smoothly; big posture changes are labelled
// 'transition' (like HAPT's postural transitions, which the model ignores).
import type { Activity } from '../protocol/sensor-messages.js';
import { PROFILES, type GaitProfile } from './activity-profiles.js';
import { randomScript, type ScriptSegment } from './activity-script.js';
import { createRandom, type Random } from './random.js';
import { angleDeg, apply, axisAngle, cross, lerp, normalize, orthogonalTo, type Mat3, type Vec3 } from './vec3.js';

export interface SyntheticPhoneOptions {
  seed: number;
  rateHz?: number;
  /** Activity sequence; a random plausible one when absent. */
  script?: readonly ScriptSegment[];
  /** Repeat the script forever (default) or hold the last activity. */
  loop?: boolean;
  /** Device-clock time of the first sample, ms. */
  startTimeMs?: number;
  /** Largest random mounting rotation away from the reference mount, degrees. */
  orientationJitterDeg?: number;
  /** Typical white sensor noise, g (each phone draws 0.7-1.3x of it). */
  noiseG?: number;
}

export interface PhoneSamples {
  /** Device clock, ms. */
  t: Float64Array;
  x: Float32Array;
  y: Float32Array;
  z: Float32Array;
  /** The activity of each sample, or 'transition' while the posture changes. */
  labels: string[];
}

/** What makes one simulated person and phone differ from another. */
export interface PhoneTraits {
  mount: Mat3;
  mountAngleDeg: number;
  /** Gait amplitude factor. */
  gaitStrength: number;
  /** Cadence factor on every gait activity's stride frequency. */
  cadence: number;
  noiseG: number;
}

const TRANSITION_LABEL = 'transition';
/** Posture changes beyond this angle take time and are labelled as transitions. */
const BIG_POSTURE_CHANGE_DEG = 20;
/** Per-person deviation of each gait-cycle coefficient, relative to its size. */
const CYCLE_SHAPE_SPREAD = 0.15;
/** People's cadence around the fitted mean (HAPT walking: 1.76 steps/s), kept within the usual
 *  1.6-2.1 steps/s of walking: a 5% spread, at most 6% slower or 15% faster. */
const CADENCE_SPREAD = 0.05;
const CADENCE_RANGE = [0.06, 0.15] as const;
/** Step-to-step variation is broadband: a fast AR(1) process (time constant, s). */
const RESIDUAL_TAU_S = 0.02;

type Cycle = [number, number][][];

export class SyntheticPhone {
  readonly rateHz: number;
  readonly script: readonly ScriptSegment[];
  readonly traits: PhoneTraits;
  private readonly rng: Random;
  private readonly loop: boolean;
  private readonly startTimeMs: number;
  /** This person's gait cycle per gait activity (the fitted mean, perturbed). */
  private readonly cycles = new Map<Activity, Cycle>();
  private generated = 0;
  // Stride phase and slowly varying random processes (AR(1)), carried across calls.
  private phase = 0;
  private cadenceDrift = 0;
  private strengthDrift = 0;
  private readonly tremorState: [number, number, number] = [0, 0, 0];
  private readonly residualState: [number, number, number] = [0, 0, 0];
  private segmentIndex = 0;
  private segmentStart = 0; // sample index where the current segment started

  constructor(opts: SyntheticPhoneOptions) {
    this.rng = createRandom(opts.seed);
    this.rateHz = opts.rateHz ?? 50;
    if (!(this.rateHz > 0)) throw new Error(`rateHz must be positive (got ${this.rateHz})`);
    this.loop = opts.loop ?? true;
    this.startTimeMs = opts.startTimeMs ?? 0;
    const jitter = opts.orientationJitterDeg ?? 20;
    const axis: Vec3 = normalize([this.rng.gaussian(), this.rng.gaussian(), this.rng.gaussian()]);
    const mountAngleDeg = this.rng.uniform(0, jitter);
    this.traits = {
      mount: axisAngle(axis, (mountAngleDeg * Math.PI) / 180),
      mountAngleDeg,
      gaitStrength: this.rng.uniform(0.8, 1.2),
      cadence: 1 + Math.max(-CADENCE_RANGE[0], Math.min(CADENCE_RANGE[1], CADENCE_SPREAD * this.rng.gaussian())),
      noiseG: (opts.noiseG ?? 0.008) * this.rng.uniform(0.7, 1.3),
    };
    for (const [activity, profile] of Object.entries(PROFILES) as [Activity, (typeof PROFILES)[Activity]][]) {
      if (profile.gait) this.cycles.set(activity, this.personalCycle(profile.gait));
    }
    this.phase = this.rng.uniform(0, 2 * Math.PI);
    this.script = opts.script ?? randomScript(this.rng, 600);
    if (this.script.length === 0) throw new Error('empty activity script');
  }

  /** Samples generated so far. */
  get sampleCount(): number {
    return this.generated;
  }

  /** The next `n` samples. */
  next(n: number): PhoneSamples {
    const out: PhoneSamples = { t: new Float64Array(n), x: new Float32Array(n), y: new Float32Array(n), z: new Float32Array(n), labels: new Array<string>(n) };
    for (let i = 0; i < n; i++) {
      out.t[i] = this.startTimeMs + (this.generated * 1000) / this.rateHz;
      const [v, label] = this.sample();
      out.x[i] = v[0];
      out.y[i] = v[1];
      out.z[i] = v[2];
      out.labels[i] = label;
    }
    return out;
  }

  private personalCycle(gait: GaitProfile): Cycle {
    return gait.cycle.map((axis) =>
      axis.map(([re, im]): [number, number] => {
        const size = Math.hypot(re, im);
        return [re + CYCLE_SHAPE_SPREAD * size * this.rng.gaussian(), im + CYCLE_SHAPE_SPREAD * size * this.rng.gaussian()];
      }),
    );
  }

  private sample(): [Vec3, string] {
    const dt = 1 / this.rateHz;
    this.advanceSegment();
    const current = this.script[this.segmentIndex]!.activity;
    const previous = this.previousActivity();
    const into = (this.generated - this.segmentStart) * dt;
    this.generated++;

    const from = PROFILES[previous];
    const to = PROFILES[current];
    const turn = angleDeg(from.gravity, to.gravity);
    const blendSeconds = previous === current ? 0 : turn > BIG_POSTURE_CHANGE_DEG ? 2 : 0.6;
    const w = blendSeconds === 0 ? 1 : smoothstep(Math.min(1, into / blendSeconds));
    const label = w < 1 && turn > BIG_POSTURE_CHANGE_DEG ? TRANSITION_LABEL : current;
    const mix = (a: number, b: number) => a * (1 - w) + b * w;

    // Body axes as the fit defines them: vertical along gravity, e1 the phone's y made horizontal.
    const up = w >= 1 ? to.gravity : normalize(lerp(from.gravity, to.gravity, w));
    const e1 = orthogonalTo(up, [0, 1, 0]);
    const axes = [up, e1, cross(up, e1)] as const;

    // Gait: each activity's cycle weighted by its share of the blend, at a common stride phase.
    this.cadenceDrift = ar1(this.cadenceDrift, dt, 5, 0.02, this.rng);
    this.strengthDrift = ar1(this.strengthDrift, dt, 1, 0.08, this.rng);
    const gaits: [Activity, number][] = [];
    if (from.gait && w < 1) gaits.push([previous, 1 - w]);
    if (to.gait) gaits.push([current, w]);
    // The cadence of whichever gait is present (blended when both are): gait fades in or out at its own pace.
    const shares = gaits.reduce((s, [, share]) => s + share, 0);
    const strideHz = gaits.length === 0 ? 0 : shares > 0 ? gaits.reduce((s, [a, share]) => s + share * PROFILES[a].gait!.strideHz, 0) / shares : PROFILES[gaits[0]![0]].gait!.strideHz;
    this.phase = (this.phase + 2 * Math.PI * strideHz * this.traits.cadence * (1 + this.cadenceDrift) * dt) % (2 * Math.PI);
    const strength = this.traits.gaitStrength * (1 + this.strengthDrift);
    const residualSd = [0, 1, 2].map((k) => gaits.reduce((s, [a, share]) => s + share * PROFILES[a].gait!.residualSd[k]!, 0));

    const tremor = mix(from.tremor, to.tremor);
    const breathing = mix(from.breathing, to.breathing) * Math.sin((2 * Math.PI * 0.25 * this.generated) / this.rateHz);
    const body: [number, number, number] = [up[0] * (1 + breathing), up[1] * (1 + breathing), up[2] * (1 + breathing)];
    for (let axis = 0; axis < 3; axis++) {
      let motion = 0;
      for (const [activity, share] of gaits) motion += share * cycleValue(this.cycles.get(activity)![axis]!, this.phase);
      this.residualState[axis] = ar1(this.residualState[axis]!, dt, RESIDUAL_TAU_S, residualSd[axis]!, this.rng);
      motion = motion * strength + this.residualState[axis]!;
      for (let c = 0; c < 3; c++) body[c]! += axes[axis]![c]! * motion;
    }
    for (let c = 0; c < 3; c++) {
      this.tremorState[c] = ar1(this.tremorState[c]!, dt, 0.5, tremor, this.rng);
      body[c]! += this.tremorState[c]!;
    }
    const phone = apply(this.traits.mount, body);
    const noise = this.traits.noiseG;
    return [[phone[0] + noise * this.rng.gaussian(), phone[1] + noise * this.rng.gaussian(), phone[2] + noise * this.rng.gaussian()], label];
  }

  private advanceSegment(): void {
    const seg = this.script[this.segmentIndex]!;
    const length = Math.max(1, Math.round(seg.seconds * this.rateHz));
    if (this.generated - this.segmentStart < length) return;
    if (this.segmentIndex + 1 < this.script.length) this.segmentIndex++;
    else if (this.loop) this.segmentIndex = 0;
    else return; // hold the last activity
    this.segmentStart = this.generated;
  }

  private previousActivity(): Activity {
    if (this.segmentStart === 0 && this.segmentIndex === 0) return this.script[0]!.activity;
    const i = this.segmentIndex === 0 ? this.script.length - 1 : this.segmentIndex - 1;
    return this.script[i]!.activity;
  }
}

/** One axis of a gait cycle at stride phase `phi`: sum over harmonics of Re(c_k e^{i k phi}). */
function cycleValue(harmonics: readonly (readonly [number, number])[], phi: number): number {
  let v = 0;
  for (let k = 0; k < harmonics.length; k++) {
    const [re, im] = harmonics[k]!;
    v += re * Math.cos((k + 1) * phi) - im * Math.sin((k + 1) * phi);
  }
  return v;
}

const smoothstep = (u: number): number => u * u * (3 - 2 * u);

/** One step of a first-order autoregressive process with time constant `tau` s and stationary sd `sd`. */
function ar1(value: number, dt: number, tau: number, sd: number, rng: Random): number {
  const a = Math.exp(-dt / tau);
  return a * value + Math.sqrt(1 - a * a) * sd * rng.gaussian();
}
