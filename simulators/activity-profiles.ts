// How each activity looks to a waist-worn phone: where gravity points and how the body moves.
// The reference mount is HAPT's (phone on the belt, x pointing up when standing). Numbers are
// tuned to what the HAPT recordings show (see tests/simulators): per-activity mean gravity
// direction, step frequency of |a| (walking ~1.75 Hz, upstairs slower, downstairs faster) and
// the spread of |a| (walking ~0.25 g, upstairs ~0.29 g, downstairs ~0.4 g).
import type { Activity } from '../protocol/sensor-messages.js';
import { normalize, type Vec3 } from './vec3.js';

export interface ActivityProfile {
  /** Unit gravity direction in the reference phone frame (what the phone reads at rest, in g). */
  gravity: Vec3;
  /** Typical step frequency in Hz; 0 for postures. */
  stepHz: number;
  /** Gait acceleration amplitudes in g: vertical bounce, forward surge, lateral sway. */
  vertical: number;
  forward: number;
  lateral: number;
  /** Second-harmonic share of the vertical bounce (heel strike sharpness). */
  harmonic: number;
  /** Low-frequency postural micro-movement, in g (sd per axis). */
  tremor: number;
  /** Breathing amplitude in g, visible when still. */
  breathing: number;
}

/** Forward direction of the body in the reference phone frame (from the HAPT stair-lean shift). */
export const BODY_FORWARD: Vec3 = normalize([0, -0.7, -0.7]);

export const PROFILES: Record<Activity, ActivityProfile> = {
  walking: { gravity: normalize([0.975, -0.2, -0.095]), stepHz: 1.8, vertical: 0.34, forward: 0.16, lateral: 0.1, harmonic: 0.3, tremor: 0.01, breathing: 0 },
  upstairs: { gravity: normalize([0.935, -0.29, -0.2]), stepHz: 1.65, vertical: 0.39, forward: 0.22, lateral: 0.12, harmonic: 0.25, tremor: 0.012, breathing: 0 },
  downstairs: { gravity: normalize([0.99, -0.1, 0.04]), stepHz: 2.0, vertical: 0.55, forward: 0.18, lateral: 0.13, harmonic: 0.45, tremor: 0.012, breathing: 0 },
  sitting: { gravity: normalize([0.95, 0.15, 0.16]), stepHz: 0, vertical: 0, forward: 0, lateral: 0, harmonic: 0, tremor: 0.012, breathing: 0.004 },
  standing: { gravity: normalize([0.987, -0.158, -0.027]), stepHz: 0, vertical: 0, forward: 0, lateral: 0, harmonic: 0, tremor: 0.014, breathing: 0.003 },
  lying: { gravity: normalize([0.08, 0.76, 0.645]), stepHz: 0, vertical: 0, forward: 0, lateral: 0, harmonic: 0, tremor: 0.01, breathing: 0.006 },
};

export const isGait = (a: Activity): boolean => PROFILES[a].stepHz > 0;
