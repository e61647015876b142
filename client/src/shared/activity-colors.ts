// One colour per activity class (Okabe-Ito palette: distinguishable with colour-vision deficiency).
import { ACTIVITY_NAMES } from '../../../protocol/sensor-messages.js';

const PALETTE = ['#0072B2', '#E69F00', '#D55E00', '#009E73', '#CC79A7', '#56B4E9', '#999999', '#F0E442'];

export function activityColor(label: string): string {
  const i = (ACTIVITY_NAMES as readonly string[]).indexOf(label);
  return i >= 0 ? PALETTE[i]! : '#777777';
}

export function classColor(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}

/** Axis colours for accelerometer charts: x, y, z, |a|. */
export const AXIS_COLORS = { x: '#D55E00', y: '#009E73', z: '#0072B2', magnitude: '#1b1e24' } as const;
