import { describe, expect, it } from 'vitest';
import { DEFAULT_TEXT_CONFIG, TextConfigError, textConfigFromEnv } from '../../server/text/text-config.js';

describe('text service settings', () => {
  it('reads overrides from the environment and names the variable of a bad value', () => {
    const c = textConfigFromEnv({ SENSORIUM_TEXT_MODEL: 'shakespeare-char', SENSORIUM_TEXT_MAX_SESSIONS: '12', SENSORIUM_TEXT_MAX_DELAY_MS: '0' });
    expect(c.defaultModel).toBe('shakespeare-char');
    expect(c.maxSessions).toBe(12);
    expect(c.batching.maxDelayMs).toBe(0);
    expect(c.allowedModels).toContain('shakespeare-char');
    expect(DEFAULT_TEXT_CONFIG.maxSessions).not.toBe(12); // the defaults are not mutated
    const custom = textConfigFromEnv({ SENSORIUM_TEXT_MODELS: 'a, b', SENSORIUM_TEXT_MODEL: 'c' });
    expect(custom.allowedModels).toEqual(['a', 'b', 'c']);
    expect(() => textConfigFromEnv({ SENSORIUM_TEXT_IDLE_MS: 'soon' })).toThrow(TextConfigError);
    expect(() => textConfigFromEnv({ SENSORIUM_TEXT_MAX_BATCH: '0' })).toThrow(/SENSORIUM_TEXT_MAX_BATCH/);
  });
});
