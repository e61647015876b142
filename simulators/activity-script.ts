// Scripted activity sequences for synthetic phones: either given ("walking:20,sitting:10")
// or drawn from a plausible daily-life Markov chain (you sit down from standing, not from
// the stairs; you lie down from sitting), over the activities the phone's placement can do.
import { ACTIVITIES, ACTIVITY_NAMES, type ActivityName } from '../protocol/sensor-messages.js';
import type { Random } from '../lib/random.js';

export interface ScriptSegment {
  activity: ActivityName;
  seconds: number;
}

/** Parses "walking:20,sitting:10" (activity:seconds, comma separated). Throws on bad input. */
export function parseScript(text: string): ScriptSegment[] {
  const segments = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((part) => {
      const [name, secs] = part.split(':');
      if (!ACTIVITY_NAMES.includes(name as ActivityName)) {
        throw new Error(`unknown activity '${name}' in script (expected one of ${ACTIVITY_NAMES.join(', ')})`);
      }
      const seconds = Number(secs);
      if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`bad duration '${secs}' for ${name} in script (seconds > 0)`);
      return { activity: name as ActivityName, seconds };
    });
  if (segments.length === 0) throw new Error('empty activity script');
  return segments;
}

// Successors, with repeats for weight. Jogging comes last in each list, so that leaving it out
// (a placement without it) leaves the other choices, and a seed's script, as they were.
const NEXT: Record<ActivityName, readonly ActivityName[]> = {
  walking: ['standing', 'upstairs', 'downstairs', 'standing', 'sitting', 'jogging'],
  upstairs: ['walking', 'standing'],
  downstairs: ['walking', 'standing'],
  standing: ['walking', 'sitting', 'walking', 'upstairs', 'downstairs'],
  sitting: ['standing', 'lying', 'standing'],
  lying: ['sitting'],
  jogging: ['walking', 'standing'],
};

/**
 * A random plausible sequence covering at least `totalSeconds`, segments of 6-25 s, of the given
 * activities (default: the six HAPT ones).
 */
export function randomScript(rng: Random, totalSeconds: number, activities: readonly ActivityName[] = ACTIVITIES): ScriptSegment[] {
  if (activities.length === 0) throw new Error('randomScript needs at least one activity');
  const allowed = new Set(activities);
  const segments: ScriptSegment[] = [];
  let activity: ActivityName = rng.pick(activities);
  let covered = 0;
  while (covered < totalSeconds) {
    const seconds = Math.round(rng.uniform(6, 25));
    segments.push({ activity, seconds });
    covered += seconds;
    const next = NEXT[activity].filter((a) => allowed.has(a));
    activity = next.length ? rng.pick(next) : rng.pick(activities);
  }
  return segments;
}

/** Which segment is active at `seconds` into the script (looping when `loop`). */
export function segmentAt(script: readonly ScriptSegment[], seconds: number, loop: boolean): { index: number; into: number } {
  const total = script.reduce((s, seg) => s + seg.seconds, 0);
  let t = loop ? seconds % total : Math.min(seconds, total - 1e-9);
  for (let i = 0; i < script.length; i++) {
    if (t < script[i]!.seconds) return { index: i, into: t };
    t -= script[i]!.seconds;
  }
  return { index: script.length - 1, into: script[script.length - 1]!.seconds };
}
