// The human-readable part of HAR evaluation reports (stdout, before the final JSON line).
import { printTable } from '../../cli/report.js';
import type { HarMetrics } from './metrics.js';

export function printHarReport(m: HarMetrics, out: (s: string) => void = console.log): void {
  out(`windows ${m.n}   accuracy ${pct(m.accuracy)}   macro-F1 ${m.macroF1.toFixed(4)}`);
  out('');
  printTable(
    ['class', 'precision', 'recall', 'f1', 'support'],
    Object.entries(m.perClass).map(([name, s]) => [name, s.precision, s.recall, s.f1, s.support]),
    out,
  );
  out('');
  out('confusion (rows: truth, columns: predicted)');
  const rows = m.confusionRows ?? m.classes;
  printTable(
    ['truth \\ predicted', ...m.classes.map(short)],
    m.confusion.map((r, i) => [rows[i]!, ...r]),
    out,
  );
}

export function pct(v: number): string {
  return `${(v * 100).toFixed(2)}%`;
}

function short(name: string): string {
  return name.length > 8 ? name.slice(0, 8) : name;
}
