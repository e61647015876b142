// Human-readable tables for CLI reports, and the machine-readable last line that other
// tools parse: exactly one JSON object on the final line of stdout.

export function printTable(headers: string[], rows: (string | number)[][], out: (s: string) => void = console.log): void {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? formatCell(c) : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  out(line(headers));
  out(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells) out(line(r));
}

function formatCell(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(4);
}

/** Prints the final JSON line; call it last. */
export function printResultJson(result: unknown): void {
  process.stdout.write(JSON.stringify(result) + '\n');
}

/** Rounds numbers inside a JSON-able value so the last line stays readable. */
export function roundDeep<T>(value: T, digits = 4): T {
  const f = 10 ** digits;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'number') return Number.isInteger(v) ? v : Math.round(v * f) / f;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
