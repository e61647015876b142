import { describe, expect, it } from 'vitest';
import { configFromEnv, DEFAULT_CONFIG, makeConfig, parseSmoothing } from '../../server/config.js';

describe('server config', () => {
  it('reads documented environment variables over the defaults', () => {
    const c = configFromEnv({
      PORT: '9000',
      HOST: '0.0.0.0',
      SENSORIUM_MAX_BATCH: '8',
      SENSORIUM_MAX_DELAY_MS: '0',
      SENSORIUM_SMOOTHING: 'mean:3',
      SENSORIUM_HAR_MODE: 'untrained',
      SENSORIUM_MAX_FRAME_BYTES: '65536',
    });
    expect(c).toMatchObject({ port: 9000, host: '0.0.0.0', harModel: 'untrained', batching: { maxBatch: 8, maxDelayMs: 0, maxQueue: DEFAULT_CONFIG.batching.maxQueue } });
    expect(c.pipeline.smoothing).toEqual({ kind: 'mean', k: 3 });
    expect(c.limits.maxFrameBytes).toBe(65536);
    expect(DEFAULT_CONFIG.batching.maxBatch).toBe(32); // the defaults are not mutated
  });

  it('names the variable and the accepted range of a bad value', () => {
    expect(() => configFromEnv({ PORT: 'eighty' })).toThrow(/PORT must be a whole number between 0 and 65535 \(got 'eighty'\)/);
    expect(() => configFromEnv({ SENSORIUM_MAX_BATCH: '0' })).toThrow(/SENSORIUM_MAX_BATCH/);
    expect(() => configFromEnv({ SENSORIUM_HAR_MODE: 'best' })).toThrow(/auto, trained, untrained/);
    expect(() => parseSmoothing('ema:2')).toThrow(/ema:<alpha in \(0,1\]>/);
    expect(parseSmoothing('ema:0.3')).toEqual({ kind: 'ema', alpha: 0.3 });
    expect(parseSmoothing('none')).toEqual({ kind: 'none' });
  });

  it('makeConfig merges nested groups field by field', () => {
    const c = makeConfig({ port: 0, batching: { maxQueue: 3 }, pipeline: { reorderWaitMs: 5 } });
    expect(c.port).toBe(0);
    expect(c.batching).toEqual({ ...DEFAULT_CONFIG.batching, maxQueue: 3 });
    expect(c.pipeline).toEqual({ ...DEFAULT_CONFIG.pipeline, reorderWaitMs: 5 });
  });
});
