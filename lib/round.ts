/** `v` to two decimals (figures in JSON replies and logs). */
export const round2 = (v: number): number => Math.round(v * 100) / 100;
