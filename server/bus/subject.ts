// NATS subject rules, checked the same way by both buses (so code that works in one process
// works on NATS): tokens separated by dots, `*` a whole token matching one token, `>` a whole
// last token matching one or more tokens.
import { BusInvalidArgumentError } from './bus-errors.js';

const MAX_SUBJECT_LENGTH = 512;
// No whitespace or control characters anywhere (NATS splits its protocol lines on them).
const FORBIDDEN = /[\s\x00-\x1f\x7f]/;
const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** The subject's tokens; throws BusInvalidArgumentError unless it is a valid (pattern when `wildcards`) subject. */
export function subjectTokens(subject: string, wildcards: boolean): string[] {
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > MAX_SUBJECT_LENGTH || FORBIDDEN.test(subject)) {
    throw new BusInvalidArgumentError(`invalid subject ${JSON.stringify(String(subject).slice(0, 60))}: 1-${MAX_SUBJECT_LENGTH} characters, no whitespace`);
  }
  const tokens = subject.split('.');
  tokens.forEach((token, i) => {
    if (token.length === 0) throw new BusInvalidArgumentError(`invalid subject ${JSON.stringify(subject)}: empty token`);
    const wildcard = token === '*' || token === '>';
    if (!wildcard && (token.includes('*') || token.includes('>'))) {
      throw new BusInvalidArgumentError(`invalid subject ${JSON.stringify(subject)}: '*' and '>' must be whole tokens`);
    }
    if (wildcard && !wildcards) throw new BusInvalidArgumentError(`invalid subject ${JSON.stringify(subject)}: wildcards only in subscriptions`);
    if (token === '>' && i !== tokens.length - 1) throw new BusInvalidArgumentError(`invalid subject ${JSON.stringify(subject)}: '>' must be the last token`);
  });
  return tokens;
}

export function hasWildcard(tokens: readonly string[]): boolean {
  return tokens.some((token) => token === '*' || token === '>');
}

/** Whether a literal subject (its tokens) matches a subscription pattern (its tokens). */
export function subjectMatches(pattern: readonly string[], subject: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const token = pattern[i];
    if (token === '>') return subject.length > i;
    if (i >= subject.length) return false;
    if (token !== '*' && token !== subject[i]) return false;
  }
  return pattern.length === subject.length;
}

/** Queue groups and KV buckets: letters, digits, `_` and `-`. */
export function checkName(kind: 'queue group' | 'bucket', name: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new BusInvalidArgumentError(`invalid ${kind} ${JSON.stringify(String(name).slice(0, 60))}: 1-64 of letters, digits, _ and -`);
  }
}

const KEY = /^[-/_=.A-Za-z0-9]{1,512}$/;

/** KV keys as NATS KV allows them: letters, digits and `-_=/.`, not starting or ending with a dot. */
export function checkKey(key: string): void {
  if (typeof key !== 'string' || !KEY.test(key) || key.startsWith('.') || key.endsWith('.')) {
    throw new BusInvalidArgumentError(`invalid KV key ${JSON.stringify(String(key).slice(0, 60))}: letters, digits and -_=/. (no leading or trailing dot)`);
  }
}
