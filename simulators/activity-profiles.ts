// How each activity looks to a synthetic phone, per placement: where gravity points, and for gait
// activities the mean gait cycle.
//  - waist: fitted to HAPT (gait-fits.ts); the reference mount is HAPT's (phone on the belt, x up
//    when standing).
//  - pocket: fitted to pocket data sets (gait-fits-pocket-*.ts), on a reference mount of a phone
//    in a front trouser pocket: y (the long axis) along the thigh, pointing to the hip; z out of the
//    front of the thigh; x = y × z. Standing, the thigh is upright and gravity lies along y; sitting,
//    the thigh is about horizontal and gravity lies across the phone (along z). The fits give the
//    tilt of gravity away from the phone's long axis per activity; each synthetic phone then turns
//    the reference mount about the thigh, maybe upside down (synthetic-phone.ts).
// Waist: postural micro-movement and breathing are set by hand to HAPT's still-posture spread
// (about 0.015-0.025 g per axis). Pocket: fitted (pocketStillness).
import { ACTIVITY_NAMES, type Activity, type ActivityName } from '../protocol/sensor-messages.js';
import { GAIT_FITS, GRAVITY_FITS } from './gait-fits.js';
import { POCKET_FITS } from './gait-fits-pocket.js';
import { cross, normalize, orthogonalTo, type Vec3 } from './vec3.js';

/** Where a synthetic phone can be carried (a subset of the protocol's PLACEMENTS). */
export const SIM_PLACEMENTS = ['waist', 'pocket'] as const;
export type SimPlacement = (typeof SIM_PLACEMENTS)[number];

/** The part of the fitted non-periodic variation that is synthesised as noise (see residualSd). */
const RESIDUAL_SHARE: Record<SimPlacement, number> = { waist: 0.5, pocket: 1 };

export interface GaitProfile {
  /** Stride (two steps) frequency, Hz, and its spread between people. */
  strideHz: number;
  strideHzSd: number;
  /** Mean gait cycle: cycle[axis][k-1] = [re, im] of harmonic k of the stride, in g, on the
   *  body axes (vertical; e1, horizontal; e2 = vertical x e1; see bodyAxes). */
  cycle: readonly (readonly (readonly [number, number])[])[];
  /** Step-to-step variation per body axis, g: RESIDUAL_SHARE of what the fit leaves over. At the
   *  waist only half: as smooth noise the whole of it blurs the gait far more than real variation
   *  does (a model trained on HAPT then takes walking for stairs); half keeps |a| statistics close
   *  to HAPT's. In a pocket the whole: even then the sd of |a| per 2.56 s window stays a little
   *  under the pocket data's (walking 0.30 vs 0.33-0.34 g, stairs 0.25-0.30 vs 0.27-0.31 g). */
  residualSd: readonly [number, number, number];
  /** Time constant of that variation as a first-order autoregressive process, s. */
  residualTauS: number;
}

export interface ActivityProfile {
  /** Unit gravity direction in the reference phone frame (what the phone reads at rest, in g). */
  gravity: Vec3;
  gait?: GaitProfile;
  /** Low-frequency postural micro-movement, in g (sd per axis). */
  tremor: number;
  /** Breathing amplitude in g, visible when still. */
  breathing: number;
  /** Where the fit came from (data set name), for descriptions. */
  source: string;
}

/** An activity's fitted variants (per data set; pocket gait: per person). Each phone picks one per activity. */
export type PlacementProfiles = Partial<Record<ActivityName, readonly ActivityProfile[]>>;

interface GaitFit {
  strideHz: number;
  strideHzSd: number;
  totalSd: readonly number[];
  residualRho?: number | null;
  coef: readonly (readonly (readonly [number, number])[])[];
}

/** At the waist, step-to-step variation is broadband (set by hand to HAPT, see RESIDUAL_SHARE). */
const WAIST_RESIDUAL_TAU_S = 0.02;

/** The time constant at RATE_HZ whose AR(1) has lag-1 correlation `rho`. */
const tauOf = (rho: number): number => -1 / (RATE_HZ * Math.log(Math.min(0.99, Math.max(0.01, rho))));
const RATE_HZ = 50;

function gaitProfile(fit: GaitFit, placement: SimPlacement, rho?: number): GaitProfile {
  const residualSd = fit.totalSd.map((total, axis) => {
    const cycleVariance = fit.coef[axis]!.reduce((s, [re, im]) => s + (re * re + im * im) / 2, 0);
    return RESIDUAL_SHARE[placement] * Math.sqrt(Math.max(0, total * total - cycleVariance));
  }) as unknown as [number, number, number];
  const residualTauS = placement === 'waist' || rho === undefined ? WAIST_RESIDUAL_TAU_S : tauOf(rho);
  return { strideHz: fit.strideHz, strideHzSd: fit.strideHzSd, cycle: fit.coef, residualSd, residualTauS };
}

/** Hand-set stillness per activity at the waist (see the header). */
const STILLNESS: Record<ActivityName, { tremor: number; breathing: number }> = {
  walking: { tremor: 0.005, breathing: 0 },
  upstairs: { tremor: 0.005, breathing: 0 },
  downstairs: { tremor: 0.005, breathing: 0 },
  jogging: { tremor: 0.005, breathing: 0 },
  sitting: { tremor: 0.012, breathing: 0.004 },
  standing: { tremor: 0.014, breathing: 0.003 },
  lying: { tremor: 0.01, breathing: 0.006 },
};

const waistGravity = (a: Activity): Vec3 => normalize(GRAVITY_FITS[a] as unknown as Vec3);
const waist = (a: Activity, gait?: GaitFit): ActivityProfile => ({
  gravity: waistGravity(a),
  ...(gait ? { gait: gaitProfile(gait, 'waist') } : {}),
  ...STILLNESS[a],
  source: 'hapt',
});

/** The waist-worn phone of HAPT, one variant per activity (no jogging: HAPT has none). */
export const PROFILES: Record<Activity, ActivityProfile> = {
  walking: waist('walking', GAIT_FITS.walking),
  upstairs: waist('upstairs', GAIT_FITS.upstairs),
  downstairs: waist('downstairs', GAIT_FITS.downstairs),
  sitting: waist('sitting'),
  standing: waist('standing'),
  lying: waist('lying'),
};

/** The pocket reference frame: the phone's long axis along the thigh, z out of its front. */
export const POCKET_THIGH_AXIS: Vec3 = [0, 1, 0];
export const POCKET_FORWARD_AXIS: Vec3 = [0, 0, 1];

/** Gravity in the pocket reference frame when the thigh tilts `tiltDeg` forward from upright. */
export function pocketGravity(tiltDeg: number): Vec3 {
  const t = (tiltDeg * Math.PI) / 180;
  return [0, Math.cos(t), Math.sin(t)];
}

/** Lying has no pocket data: the thigh is horizontal (legs straight); the phone's roll about the
 *  thigh follows the body's (on the back, side or front), drawn per phone in synthetic-phone.ts. */
const POCKET_LYING_TILT_DEG = 90;

interface StillnessFit {
  sd: number;
  hfSd: number;
}

/** The slow part of a still posture's fitted spread: what is left without the sensor noise. */
const slowSd = (f: StillnessFit): number => Math.sqrt(Math.max(0, f.sd ** 2 - f.hfSd ** 2));
const stillFits = (): StillnessFit[] => Object.values(POCKET_FITS).flatMap((f) => Object.values(f.stillness as Record<string, StillnessFit>));
/** A pocket phone's sensor noise (sd per axis, g): the mean sample-to-sample sd of still pocket data. */
export const POCKET_NOISE_G = stillFits().reduce((s, f) => s + f.hfSd, 0) / stillFits().length;
/** Micro-movement of a still posture without pocket data (lying): the mean of the fitted ones. */
const POCKET_TREMOR = stillFits().reduce((s, f) => s + slowSd(f), 0) / stillFits().length;

/**
 * Gait activities: as at the waist. Still in a pocket: the fitted slow spread as micro-movement
 * (each phone adds its own sensor noise), and no breathing (a thigh barely moves with it).
 */
function pocketStillness(activity: ActivityName, fit: StillnessFit | undefined): { tremor: number; breathing: number } {
  if (isGaitName(activity)) return STILLNESS[activity];
  return { tremor: fit ? slowSd(fit) : POCKET_TREMOR, breathing: 0 };
}

const isGaitName = (a: ActivityName): boolean => ['walking', 'upstairs', 'downstairs', 'jogging'].includes(a);

/** A fit's residual smoothness, or where its data were too slow to tell, the mean of the other data sets' for that activity. */
function residualRho(activity: ActivityName, fit: GaitFit): number | undefined {
  if (typeof fit.residualRho === 'number') return fit.residualRho;
  const others = Object.values(POCKET_FITS)
    .map((f) => (f.gait as Partial<Record<ActivityName, GaitFit>>)[activity]?.residualRho)
    .filter((r): r is number => typeof r === 'number');
  return others.length ? others.reduce((a, b) => a + b, 0) / others.length : undefined;
}

function pocketProfiles(): PlacementProfiles {
  const out: PlacementProfiles = {};
  const add = (a: ActivityName, p: ActivityProfile) => void (out[a] = [...(out[a] ?? []), p]);
  for (const [dataset, fit] of Object.entries(POCKET_FITS)) {
    for (const [activity, tiltDeg] of Object.entries(fit.tiltDeg) as [ActivityName, number][]) {
      const still = (fit.stillness as Partial<Record<ActivityName, StillnessFit>>)[activity];
      const base = { gravity: pocketGravity(tiltDeg), ...pocketStillness(activity, still) };
      // Gait: one variant per person of the data set (their own mean cycle), else the data set's mean.
      const people = (fit.people as Partial<Record<ActivityName, readonly (GaitFit & { user: number })[]>>)[activity] ?? [];
      const mean = (fit.gait as Partial<Record<ActivityName, GaitFit>>)[activity];
      if (people.length) for (const person of people) add(activity, { ...base, gait: gaitProfile(person, 'pocket', residualRho(activity, person)), source: `${dataset} #${person.user}` });
      else add(activity, { ...base, ...(mean ? { gait: gaitProfile(mean, 'pocket', residualRho(activity, mean)) } : {}), source: dataset });
    }
  }
  if (!out.lying) add('lying', { gravity: pocketGravity(POCKET_LYING_TILT_DEG), ...pocketStillness('lying', undefined), source: 'geometry' });
  return out;
}

export const PLACEMENT_PROFILES: Record<SimPlacement, PlacementProfiles> = {
  waist: Object.fromEntries(Object.entries(PROFILES).map(([a, p]) => [a, [p]])),
  pocket: pocketProfiles(),
};

/** The activities a placement can simulate (those with a profile), in the protocol's order. */
export function activitiesOf(placement: SimPlacement): ActivityName[] {
  const profiles = PLACEMENT_PROFILES[placement];
  return ACTIVITY_NAMES.filter((a) => (profiles[a]?.length ?? 0) > 0);
}

/** How often a pocket phone lies across the thigh: the mean of the data sets' shares. */
export const POCKET_CROSSWISE_SHARE = Object.values(POCKET_FITS).reduce((s, f) => s + f.crosswiseShare, 0) / Object.keys(POCKET_FITS).length;

/**
 * The body axes of a posture: vertical along gravity; e1 a horizontal axis fixed to the phone
 * (waist: the phone's y made horizontal, as HAPT's fit defines it; pocket: the thigh's forward
 * direction, the plane the thigh swings in); e2 = vertical × e1.
 */
export function bodyAxes(placement: SimPlacement, gravity: Vec3): [Vec3, Vec3, Vec3] {
  const up = normalize(gravity);
  const hint = placement === 'waist' ? ([0, 1, 0] as Vec3) : Math.abs(up[2]) < 0.99 ? POCKET_FORWARD_AXIS : ([0, -1, 0] as Vec3);
  const e1 = orthogonalTo(up, hint);
  return [up, e1, cross(up, e1)];
}
