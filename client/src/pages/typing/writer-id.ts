// The writer id of this browser: a random id kept in localStorage, sent with `start` so the
// server can keep what it learns of this writer's words between visits. No storage (private
// mode, blocked): no id, and the suggestions adapt to the session only.
import { isWriterId } from '../../../../protocol/text-messages.js';

const KEY = 'sensorium.writer-id';

export function writerId(storage: Storage | undefined): string | undefined {
  try {
    if (!storage) return undefined;
    let id = storage.getItem(KEY);
    if (!isWriterId(id)) {
      // getRandomValues works on plain http too (randomUUID needs a secure context).
      id = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
      storage.setItem(KEY, id);
    }
    return id;
  } catch {
    return undefined;
  }
}
