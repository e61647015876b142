import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../models/runtime/backend.js';
import { DEFAULT_TEXT_CONFIG } from '../../server/text/text-config.js';
import { startTextServer, type StandaloneTextServer } from '../../server/text/standalone-text-server.js';
import { runTypists } from '../../simulators/typist-fleet.js';
import { mobyDickDocuments } from '../../data/corpora/stdlib-english.js';
import type { LoadedLm } from '../../models/lm/lm-store.js';
import { tinyLm } from './tiny-lm.js';

let server: StandaloneTextServer;
let lm: LoadedLm;

describe('typist simulator', () => {
  beforeAll(async () => {
    await initBackend('wasm');
    lm = await tinyLm('word');
    server = await startTextServer({ ...DEFAULT_TEXT_CONFIG, defaultModel: lm.name, allowedModels: [lm.name] }, [lm]);
  });
  afterAll(async () => {
    await server?.close();
    lm?.stepper.dispose();
    lm?.model.dispose();
  });

  it('types at a human pace, accepts suggestions, and batches the steps of concurrent sessions', async () => {
    // Text the tiny model was trained on, so suggestions are right often enough to be taken.
    const text = mobyDickDocuments()
      .slice(3, 8)
      .map((d) => d.text)
      .join(' ')
      .replace(/\s+/g, ' ');
    const { counters, latency } = await runTypists({ url: server.url, text, typists: 12, wpm: 600, seconds: 4, charsPerTypist: 400, seed: 2 });
    expect(counters.connected).toBe(0);
    expect(counters.words).toBeGreaterThan(50);
    expect(counters.accepted).toBeGreaterThan(0);
    expect(counters.keystrokes).toBeLessThan(counters.plainKeystrokes);
    expect(counters.top3Seen).toBeGreaterThan(0);
    expect(counters.errors).toEqual({});
    expect(latency.count).toBeGreaterThan(100);
    const stats = server.service.stats().models[lm.name]!;
    expect(stats.completed).toBeGreaterThan(0);
    expect(stats.meanBatch).toBeGreaterThan(1);
    // Closing handshakes finish shortly after the typists hang up.
    for (let i = 0; i < 50 && server.service.sessions > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(server.service.sessions).toBe(0);
  });
});
