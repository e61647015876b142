// Ids become subject tokens and KV keys without changing a subject's meaning, and come back intact.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEVICE_ID_PATTERN } from '../../protocol/validate-sensor.js';
import { idFromToken, predictionsSubject, sessionKey, tokenForId, ALL_PREDICTIONS_SUBJECT } from '../../protocol/bus-subjects.js';
import { subjectMatches, subjectTokens, checkKey } from '../../server/bus/subject.js';

describe('bus subjects', () => {
  it('escapes dots and colons of device ids so a subject keeps its tokens', () => {
    expect(tokenForId('phone-1')).toBe('phone-1');
    expect(tokenForId('lab.phone:7')).toBe('lab=2Ephone=3A7');
    expect(predictionsSubject('lab.phone:7')).toBe('sensorium.predictions.lab=2Ephone=3A7');
    expect(idFromToken('lab=2Ephone=3A7')).toBe('lab.phone:7');
    expect(idFromToken('not.a.token')).toBeUndefined();
    expect(idFromToken('=2e')).toBeUndefined(); // lower-case hex is not what tokenForId writes
    expect(() => tokenForId('')).toThrow(RangeError);
    expect(() => tokenForId('x'.repeat(65))).toThrow(RangeError);
    expect(() => tokenForId('é')).toThrow(RangeError);
  });

  it('turns every valid device id into one matching token and a valid KV key, reversibly', () => {
    const deviceId = fc.stringMatching(DEVICE_ID_PATTERN);
    fc.assert(
      fc.property(deviceId, (id) => {
        const subject = predictionsSubject(id);
        const tokens = subjectTokens(subject, false);
        expect(tokens).toHaveLength(3);
        expect(subjectMatches(subjectTokens(ALL_PREDICTIONS_SUBJECT, true), tokens)).toBe(true);
        expect(() => checkKey(sessionKey(id))).not.toThrow();
        expect(idFromToken(tokenForId(id))).toBe(id);
      }),
      { numRuns: 500 },
    );
  });
});
