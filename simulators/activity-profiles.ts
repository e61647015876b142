// How each activity looks to a waist-worn phone: where gravity points, and for gait activities
// the mean gait cycle. The numbers come from HAPT (gait-fits.ts, written by
// tools/fit-gait-profiles.ts); the reference mount is HAPT's (phone on the belt, x up when
// standing). Postural micro-movement and breathing are set by hand to HAPT's still-posture spread
// (about 0.015-0.025 g per axis).
import type { Activity } from '../protocol/sensor-messages.js';
import { GAIT_FITS, GRAVITY_FITS } from './gait-fits.js';
import { normalize, type Vec3 } from './vec3.js';

/** The part of the fitted non-periodic variation that is synthesised as noise (see residualSd). */
const RESIDUAL_SHARE = 0.5;

export interface GaitProfile {
  /** Stride (two steps) frequency, Hz, and its spread between people. */
  strideHz: number;
  strideHzSd: number;
  /** Mean gait cycle: cycle[axis][k-1] = [re, im] of harmonic k of the stride, in g, on the
   *  body axes (vertical, e1 = phone y made horizontal, e2 = vertical x e1). */
  cycle: readonly (readonly (readonly [number, number])[])[];
  /** Step-to-step variation per body axis, g. Only RESIDUAL_SHARE of what the fit leaves over:
   *  as smooth noise the whole of it blurs the gait far more than real variation does (a model
   *  trained on HAPT then takes walking for stairs); half keeps |a| statistics close to HAPT's. */
  residualSd: readonly [number, number, number];
}

export interface ActivityProfile {
  /** Unit gravity direction in the reference phone frame (what the phone reads at rest, in g). */
  gravity: Vec3;
  gait?: GaitProfile;
  /** Low-frequency postural micro-movement, in g (sd per axis). */
  tremor: number;
  /** Breathing amplitude in g, visible when still. */
  breathing: number;
}

function gaitProfile(fit: (typeof GAIT_FITS)[keyof typeof GAIT_FITS]): GaitProfile {
  const residualSd = fit.totalSd.map((total, axis) => {
    const cycleVariance = fit.coef[axis]!.reduce((s, [re, im]) => s + (re * re + im * im) / 2, 0);
    return RESIDUAL_SHARE * Math.sqrt(Math.max(0, total * total - cycleVariance));
  }) as unknown as [number, number, number];
  return { strideHz: fit.strideHz, strideHzSd: fit.strideHzSd, cycle: fit.coef, residualSd };
}

const gravity = (a: Activity): Vec3 => normalize(GRAVITY_FITS[a] as unknown as Vec3);

export const PROFILES: Record<Activity, ActivityProfile> = {
  walking: { gravity: gravity('walking'), gait: gaitProfile(GAIT_FITS.walking), tremor: 0.005, breathing: 0 },
  upstairs: { gravity: gravity('upstairs'), gait: gaitProfile(GAIT_FITS.upstairs), tremor: 0.005, breathing: 0 },
  downstairs: { gravity: gravity('downstairs'), gait: gaitProfile(GAIT_FITS.downstairs), tremor: 0.005, breathing: 0 },
  sitting: { gravity: gravity('sitting'), tremor: 0.012, breathing: 0.004 },
  standing: { gravity: gravity('standing'), tremor: 0.014, breathing: 0.003 },
  lying: { gravity: gravity('lying'), tremor: 0.01, breathing: 0.006 },
};

export const isGait = (a: Activity): boolean => PROFILES[a].gait !== undefined;
