// A synthetic phone at the waist or in a trouser pocket: 3-axis acceleration in g (gravity
// included) for a scripted sequence of activities. Per activity (activity-profiles.ts, fitted to
// HAPT for the waist and to pocket data sets for the pocket): gravity direction (posture tilt)
// and, for gait, the mean gait cycle replayed at a personal cadence with step-to-step variation;
// postural micro-movement, breathing and sensor noise when still.
// Per phone: a random mounting rotation, gait strength, cadence, gait shape and noise level. A
// pocket phone also turns by any angle about the thigh (facing in, out or sideways), may be upside
// down or lie across the thigh (as often as in the pocket data), sits in the left or right pocket
// (mirror-image gait) and has its own leg roll when seated and lying side when lying.
// Between activities the posture blends smoothly; big posture changes are labelled
// 'transition' (like HAPT's postural transitions, which the model ignores).
import type { ActivityName } from '../protocol/sensor-messages.js';
import {
  activitiesOf,
  bodyAxes,
  PLACEMENT_PROFILES,
  POCKET_CROSSWISE_SHARE,
  POCKET_NOISE_G,
  POCKET_THIGH_AXIS,
  type ActivityProfile,
  type GaitProfile,
  type SimPlacement,
} from './activity-profiles.js';
import { randomScript, type ScriptSegment } from './activity-script.js';
import { createRandom, type Random } from '../lib/random.js';
import { angleDeg, apply, axisAngle, lerp, normalize, type Mat3, type Vec3 } from './vec3.js';

export interface SyntheticPhoneOptions {
  seed: number;
  /** Where the phone is carried (default waist). */
  placement?: SimPlacement;
  rateHz?: number;
  /** Activity sequence; a random plausible one when absent. */
  script?: readonly ScriptSegment[];
  /** Repeat the script forever (default) or hold the last activity. */
  loop?: boolean;
  /** Device-clock time of the first sample, ms. */
  startTimeMs?: number;
  /** Largest random mounting rotation away from the reference mount, degrees (default: waist 20,
   *  pocket 10: a pocket holds the phone along the thigh, and the fitted tilts include its slant). */
  orientationJitterDeg?: number;
  /** Pocket: the chance that the phone lies across the thigh (default: as often as in the fits). */
  crosswiseShare?: number;
  /** Typical white sensor noise, g (each phone draws 0.7-1.3x of it; default: waist 0.008, the
   *  pocket data's own). */
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
  placement: SimPlacement;
  /** Reference frame (activity-profiles.ts) -> phone frame. */
  mount: Mat3;
  /** The small random part of the mount (the phone's slant on the belt or in the pocket). */
  mountAngleDeg: number;
  /** Pocket only: how the phone sits in the pocket. */
  pocket?: PocketTraits;
  /** Gait amplitude factor. */
  gaitStrength: number;
  /** Cadence factor on every gait activity's stride frequency. */
  cadence: number;
  noiseG: number;
  /** Which data set's fit each activity uses. */
  sources: Partial<Record<ActivityName, string>>;
}

export interface PocketTraits {
  /** Turn about the thigh, degrees (0: screen facing forward, out of the front of the thigh). */
  thighRollDeg: number;
  /** The phone's top points to the knee. */
  upsideDown: boolean;
  /** The phone's long axis lies across the thigh (its x axis along it). */
  crosswise: boolean;
  /** Left pocket: the gait is the mirror image of a right pocket's. */
  leg: 'left' | 'right';
  /** Seated: the thigh's own roll (knees apart or together), degrees. */
  sittingRollDeg: number;
  /** Lying: the body's roll (0 on the back, ±90 on a side, 180 on the front), degrees. */
  lyingRollDeg: number;
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

type Cycle = [number, number][][];

const LYING_ROLLS_DEG = [0, 0, 90, -90, 180] as const;
const SITTING_ROLL_DEG = 20;
const DEFAULT_JITTER_DEG: Record<SimPlacement, number> = { waist: 20, pocket: 10 };

export class SyntheticPhone {
  readonly rateHz: number;
  readonly script: readonly ScriptSegment[];
  readonly traits: PhoneTraits;
  readonly placement: SimPlacement;
  private readonly rng: Random;
  /** This phone's profile and gravity (reference frame) per activity it can do. */
  private readonly profiles = new Map<ActivityName, ActivityProfile>();
  private readonly gravity = new Map<ActivityName, Vec3>();
  private readonly loop: boolean;
  private readonly startTimeMs: number;
  /** This person's gait cycle per gait activity (the fitted mean, perturbed). */
  private readonly cycles = new Map<ActivityName, Cycle>();
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
    this.placement = opts.placement ?? 'waist';
    if (!PLACEMENT_PROFILES[this.placement]) throw new Error(`unknown placement '${opts.placement}' (expected one of ${Object.keys(PLACEMENT_PROFILES).join(', ')})`);
    this.rateHz = opts.rateHz ?? 50;
    if (!(this.rateHz > 0)) throw new Error(`rateHz must be positive (got ${this.rateHz})`);
    this.loop = opts.loop ?? true;
    this.startTimeMs = opts.startTimeMs ?? 0;
    // The order of the draws below is part of a seed's meaning: waist phones draw as they always have.
    const jitter = opts.orientationJitterDeg ?? DEFAULT_JITTER_DEG[this.placement];
    const axis: Vec3 = normalize([this.rng.gaussian(), this.rng.gaussian(), this.rng.gaussian()]);
    const mountAngleDeg = this.rng.uniform(0, jitter);
    const slant = axisAngle(axis, (mountAngleDeg * Math.PI) / 180);
    const gaitStrength = this.rng.uniform(0.8, 1.2);
    const cadence = 1 + Math.max(-CADENCE_RANGE[0], Math.min(CADENCE_RANGE[1], CADENCE_SPREAD * this.rng.gaussian()));
    const noiseG = (opts.noiseG ?? (this.placement === 'pocket' ? POCKET_NOISE_G : 0.008)) * this.rng.uniform(0.7, 1.3);
    const pocket = this.placement === 'pocket' ? this.drawPocket(opts.crosswiseShare ?? POCKET_CROSSWISE_SHARE) : undefined;
    const sources: PhoneTraits['sources'] = {};
    for (const activity of activitiesOf(this.placement)) {
      const variants = PLACEMENT_PROFILES[this.placement][activity]!;
      const profile = variants.length === 1 ? variants[0]! : this.rng.pick(variants);
      this.profiles.set(activity, profile);
      sources[activity] = profile.source;
      this.gravity.set(activity, pocket ? rollAboutThigh(profile.gravity, postureRollDeg(activity, pocket)) : profile.gravity);
    }
    this.traits = {
      placement: this.placement,
      mount: pocket ? compose(slant, pocketMount(pocket)) : slant,
      mountAngleDeg,
      ...(pocket ? { pocket } : {}),
      gaitStrength,
      cadence,
      noiseG,
      sources,
    };
    for (const [activity, profile] of this.profiles) {
      if (profile.gait) this.cycles.set(activity, this.personalCycle(profile.gait, pocket?.leg === 'left'));
    }
    this.phase = this.rng.uniform(0, 2 * Math.PI);
    const available = activitiesOf(this.placement);
    this.script = opts.script ?? randomScript(this.rng, 600, available);
    if (this.script.length === 0) throw new Error('empty activity script');
    const missing = [...new Set(this.script.map((seg) => seg.activity))].filter((a) => !this.profiles.has(a));
    if (missing.length) throw new Error(`a ${this.placement} phone cannot do ${missing.join(', ')}: no ${this.placement} profile (it can do ${available.join(', ')})`);
  }

  private drawPocket(crosswiseShare: number): PocketTraits {
    return {
      thighRollDeg: this.rng.uniform(-180, 180),
      upsideDown: this.rng.next() < 0.5,
      crosswise: this.rng.next() < crosswiseShare,
      leg: this.rng.next() < 0.5 ? 'left' : 'right',
      sittingRollDeg: this.rng.uniform(-SITTING_ROLL_DEG, SITTING_ROLL_DEG),
      lyingRollDeg: this.rng.pick(LYING_ROLLS_DEG),
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

  /** The fitted mean cycle, perturbed for this person; `mirror` flips the lateral axis (e2). */
  private personalCycle(gait: GaitProfile, mirror: boolean): Cycle {
    return gait.cycle.map((axis, a) =>
      axis.map(([re, im]): [number, number] => {
        const size = Math.hypot(re, im);
        const sign = mirror && a === 2 ? -1 : 1;
        return [sign * (re + CYCLE_SHAPE_SPREAD * size * this.rng.gaussian()), sign * (im + CYCLE_SHAPE_SPREAD * size * this.rng.gaussian())];
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

    const from = this.profiles.get(previous)!;
    const to = this.profiles.get(current)!;
    const fromGravity = this.gravity.get(previous)!;
    const toGravity = this.gravity.get(current)!;
    const turn = angleDeg(fromGravity, toGravity);
    const blendSeconds = previous === current ? 0 : turn > BIG_POSTURE_CHANGE_DEG ? 2 : 0.6;
    const w = blendSeconds === 0 ? 1 : smoothstep(Math.min(1, into / blendSeconds));
    const label = w < 1 && turn > BIG_POSTURE_CHANGE_DEG ? TRANSITION_LABEL : current;
    const mix = (a: number, b: number) => a * (1 - w) + b * w;

    // Body axes as the fits define them (vertical along gravity; see bodyAxes).
    const up = w >= 1 ? toGravity : normalize(lerp(fromGravity, toGravity, w));
    const axes = bodyAxes(this.placement, up);

    // Gait: each activity's cycle weighted by its share of the blend, at a common stride phase.
    this.cadenceDrift = ar1(this.cadenceDrift, dt, 5, 0.02, this.rng);
    this.strengthDrift = ar1(this.strengthDrift, dt, 1, 0.08, this.rng);
    const gaits: [ActivityName, number][] = [];
    if (from.gait && w < 1) gaits.push([previous, 1 - w]);
    if (to.gait) gaits.push([current, w]);
    // The cadence of whichever gait is present (blended when both are): gait fades in or out at its own pace.
    const shares = gaits.reduce((s, [, share]) => s + share, 0);
    const strideHz =
      gaits.length === 0 ? 0 : shares > 0 ? gaits.reduce((s, [a, share]) => s + share * this.profiles.get(a)!.gait!.strideHz, 0) / shares : this.profiles.get(gaits[0]![0])!.gait!.strideHz;
    this.phase = (this.phase + 2 * Math.PI * strideHz * this.traits.cadence * (1 + this.cadenceDrift) * dt) % (2 * Math.PI);
    const strength = this.traits.gaitStrength * (1 + this.strengthDrift);
    const residualSd = [0, 1, 2].map((k) => gaits.reduce((s, [a, share]) => s + share * this.profiles.get(a)!.gait!.residualSd[k]!, 0));
    // Step-to-step variation: an AR(1) process per axis with the activity's time constant.
    const residualTau = shares > 0 ? gaits.reduce((s, [a, share]) => s + share * this.profiles.get(a)!.gait!.residualTauS, 0) / shares : 0.02;

    const tremor = mix(from.tremor, to.tremor);
    const breathing = mix(from.breathing, to.breathing) * Math.sin((2 * Math.PI * 0.25 * this.generated) / this.rateHz);
    const body: [number, number, number] = [up[0] * (1 + breathing), up[1] * (1 + breathing), up[2] * (1 + breathing)];
    for (let axis = 0; axis < 3; axis++) {
      let motion = 0;
      for (const [activity, share] of gaits) motion += share * cycleValue(this.cycles.get(activity)![axis]!, this.phase);
      this.residualState[axis] = ar1(this.residualState[axis]!, dt, residualTau, residualSd[axis]!, this.rng);
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

  private previousActivity(): ActivityName {
    if (this.segmentStart === 0 && this.segmentIndex === 0) return this.script[0]!.activity;
    const i = this.segmentIndex === 0 ? this.script.length - 1 : this.segmentIndex - 1;
    return this.script[i]!.activity;
  }
}

/** The reference mount turned as this pocket phone sits: about the thigh, then crosswise or upside down in the phone's own plane. */
function pocketMount(p: PocketTraits): Mat3 {
  const aboutThigh = axisAngle(POCKET_THIGH_AXIS, (p.thighRollDeg * Math.PI) / 180);
  const inPlane = axisAngle([0, 0, 1], ((p.crosswise ? 90 : 0) + (p.upsideDown ? 180 : 0)) * (Math.PI / 180));
  return compose(inPlane, aboutThigh);
}

/** The pocket posture's own roll about the thigh (seated legs apart, lying on a side). */
function postureRollDeg(activity: ActivityName, p: PocketTraits): number {
  return activity === 'sitting' ? p.sittingRollDeg : activity === 'lying' ? p.lyingRollDeg : 0;
}

function rollAboutThigh(g: Vec3, deg: number): Vec3 {
  return deg === 0 ? g : apply(axisAngle(POCKET_THIGH_AXIS, (deg * Math.PI) / 180), g);
}

/** a ∘ b: the rotation that applies b first, then a. */
function compose(a: Mat3, b: Mat3): Mat3 {
  const out: number[] = [];
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) out.push(a[r * 3]! * b[c]! + a[r * 3 + 1]! * b[3 + c]! + a[r * 3 + 2]! * b[6 + c]!);
  return out as unknown as Mat3;
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
