// A synthetic waist-worn phone: 3-axis acceleration in g (gravity included) for a scripted
// sequence of activities. Per activity: gravity direction (posture tilt), gait at a personal
// cadence (vertical bounce at the step frequency with a heel-strike harmonic, forward surge,
// lateral sway at half the step frequency), postural micro-movement, breathing and sensor
// noise. Per phone: a random mounting rotation, gait strength, cadence and noise level.
// Between activities the posture blends smoothly; big posture changes are labelled
// 'transition' (like HAPT's postural transitions, which the model ignores).
import type { Activity } from '../protocol/sensor-messages.js';
import { BODY_FORWARD, PROFILES, type ActivityProfile } from './activity-profiles.js';
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
  gaitStrength: number;
  cadence: number;
  noiseG: number;
}

const TRANSITION_LABEL = 'transition';
/** Posture changes beyond this angle take time and are labelled as transitions. */
const BIG_POSTURE_CHANGE_DEG = 20;

export class SyntheticPhone {
  readonly rateHz: number;
  readonly script: readonly ScriptSegment[];
  readonly traits: PhoneTraits;
  private readonly rng: Random;
  private readonly loop: boolean;
  private readonly startTimeMs: number;
  private generated = 0;
  // Gait phase and slowly varying random processes (AR(1)), carried across calls.
  private phase = 0;
  private cadenceDrift = 0;
  private strengthDrift = 0;
  private readonly tremorState: [number, number, number] = [0, 0, 0];
  private segmentIndex = 0;
  private segmentStart = 0; // sample index where the current segment started

  constructor(opts: SyntheticPhoneOptions) {
    this.rng = createRandom(opts.seed);
    this.rateHz = opts.rateHz ?? 50;
    if (!(this.rateHz > 0)) throw new Error(`rateHz must be positive (got ${this.rateHz})`);
    this.loop = opts.loop ?? true;
    this.startTimeMs = opts.startTimeMs ?? 0;
    this.script = opts.script ?? randomScript(this.rng, 600);
    if (this.script.length === 0) throw new Error('empty activity script');
    const jitter = opts.orientationJitterDeg ?? 20;
    const axis: Vec3 = normalize([this.rng.gaussian(), this.rng.gaussian(), this.rng.gaussian()]);
    const mountAngleDeg = this.rng.uniform(0, jitter);
    this.traits = {
      mount: axisAngle(axis, (mountAngleDeg * Math.PI) / 180),
      mountAngleDeg,
      gaitStrength: this.rng.uniform(0.8, 1.2),
      cadence: this.rng.uniform(0.93, 1.1),
      noiseG: (opts.noiseG ?? 0.008) * this.rng.uniform(0.7, 1.3),
    };
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

  private sample(): [Vec3, string] {
    const dt = 1 / this.rateHz;
    this.advanceSegment();
    const current = this.script[this.segmentIndex]!;
    const previous = this.previousActivity();
    const into = (this.generated - this.segmentStart) * dt;
    this.generated++;

    const from = PROFILES[previous];
    const to = PROFILES[current.activity];
    const turn = angleDeg(from.gravity, to.gravity);
    const blendSeconds = previous === current.activity ? 0 : turn > BIG_POSTURE_CHANGE_DEG ? 2 : 0.6;
    const w = blendSeconds === 0 ? 1 : smoothstep(Math.min(1, into / blendSeconds));
    const p = blendProfiles(from, to, w);
    const label = w < 1 && turn > BIG_POSTURE_CHANGE_DEG ? TRANSITION_LABEL : current.activity;

    // Slow personal variation: cadence drifts a few percent, strength step to step.
    this.cadenceDrift = ar1(this.cadenceDrift, dt, 5, 0.03, this.rng);
    this.strengthDrift = ar1(this.strengthDrift, dt, 1, 0.08, this.rng);
    const stepHz = p.stepHz * this.traits.cadence * (1 + this.cadenceDrift);
    this.phase = (this.phase + 2 * Math.PI * stepHz * dt) % (4 * Math.PI);
    const strength = this.traits.gaitStrength * (1 + this.strengthDrift);
    const phi = this.phase;
    const bounce = p.vertical * strength * (Math.cos(phi) + p.harmonic * Math.cos(2 * phi + 0.6));
    const surge = p.forward * strength * (Math.sin(phi) + 0.3 * Math.sin(2 * phi + 1.1));
    const sway = p.lateral * strength * Math.sin(phi / 2 + 0.4);

    const up = p.gravity;
    const forward = orthogonalTo(up, BODY_FORWARD);
    const side = cross(up, forward);
    const breathing = p.breathing * Math.sin((2 * Math.PI * 0.25 * this.generated) / this.rateHz);
    const body: [number, number, number] = [0, 0, 0];
    for (let k = 0; k < 3; k++) {
      this.tremorState[k] = ar1(this.tremorState[k]!, dt, 0.5, p.tremor, this.rng);
      body[k] = up[k]! * (1 + bounce + breathing) + forward[k]! * surge + side[k]! * sway + this.tremorState[k]!;
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

function blendProfiles(a: ActivityProfile, b: ActivityProfile, w: number): ActivityProfile {
  if (w >= 1) return b;
  const mix = (p: number, q: number) => p * (1 - w) + q * w;
  return {
    gravity: normalize(lerp(a.gravity, b.gravity, w)),
    // Keep the walking cadence while gait fades in or out; only the amplitude blends.
    stepHz: a.stepHz === 0 ? b.stepHz : b.stepHz === 0 ? a.stepHz : mix(a.stepHz, b.stepHz),
    vertical: mix(a.vertical, b.vertical),
    forward: mix(a.forward, b.forward),
    lateral: mix(a.lateral, b.lateral),
    harmonic: mix(a.harmonic, b.harmonic),
    tremor: mix(a.tremor, b.tremor),
    breathing: mix(a.breathing, b.breathing),
  };
}

const smoothstep = (u: number): number => u * u * (3 - 2 * u);

/** One step of a first-order autoregressive process with time constant `tau` s and stationary sd `sd`. */
function ar1(value: number, dt: number, tau: number, sd: number, rng: Random): number {
  const a = Math.exp(-dt / tau);
  return a * value + Math.sqrt(1 - a * a) * sd * rng.gaussian();
}
