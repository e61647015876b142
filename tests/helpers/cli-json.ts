// Runs a CLI module's main() in this process and returns its last stdout line parsed as JSON
// (every CLI ends with one JSON object); what it prints on the way is swallowed.
import { vi } from 'vitest';

export async function lastJsonOf(main: (argv: string[]) => Promise<void>, argv: string[]): Promise<Record<string, unknown>> {
  const out: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ') + '\n'));
  vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    await main(argv);
  } finally {
    vi.restoreAllMocks();
  }
  const last = out.join('').trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as Record<string, unknown>;
}
