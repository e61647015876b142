// Keeps the server's session text equal to the text before the cursor, with the fewest
// characters on the wire: /ws/text edits only work at the end (delete n, then insert), so an
// edit deletes back to the first difference and appends the rest; a change far back (cursor
// jumped, paste at the start) is cheaper as a reset.
import type { EditMessage } from '../../../../protocol/text-messages.js';
import { normaliseForWords, replacesAutoSpace } from '../../../../models/lm/tokenizer.js';

/** Past this many deleted characters a reset with the whole text is sent instead. */
const RESET_AFTER_DELETING = 200;

export class TextSync {
  /** What the server's session holds. */
  private synced = '';
  private seq = 0;

  get text(): string {
    return this.synced;
  }

  /** The server lost the session (restart, overload): the next edit resends everything. */
  forget(): void {
    this.synced = '';
    this.seq = 0;
  }

  /** The edit that brings the server from its text to `target`, or undefined when equal. */
  editTo(target: string, sentAt: number): EditMessage | undefined {
    if (target === this.synced) return undefined;
    let common = 0;
    const max = Math.min(target.length, this.synced.length);
    while (common < max && target.charCodeAt(common) === this.synced.charCodeAt(common)) common++;
    const remove = this.synced.length - common;
    const edit: EditMessage =
      remove > RESET_AFTER_DELETING || (this.synced.length === 0 && this.seq === 0)
        ? { type: 'edit', seq: this.seq++, reset: true, insert: target, sentAt }
        : { type: 'edit', seq: this.seq++, ...(remove > 0 ? { delete: remove } : {}), ...(common < target.length ? { insert: target.slice(common) } : {}), sentAt };
    this.synced = target;
    return edit;
  }
}

/**
 * The text before the cursor after accepting `word` for the typed `prefix`: the prefix keeps
 * the case the person typed, the rest of the word follows, then a space for the next word.
 */
export function acceptWord(before: string, prefix: string, word: string): string {
  const base = before.slice(0, before.length - prefix.length);
  const typed = before.slice(before.length - prefix.length);
  const completed = word.toLowerCase().startsWith(typed.toLowerCase()) ? typed + word.slice(typed.length) : word;
  // A word right after a letter or punctuation (no space yet) gets one in front.
  const needsSpace = prefix === '' && base.length > 0 && !/\s$/.test(base);
  return `${base}${needsSpace ? ' ' : ''}${completed} `;
}

/**
 * The text before the cursor when the one character typed after an accepted word (`accepted`,
 * which ends with acceptWord's space) replaces that space: a punctuation mark that takes no space
 * before it (`whale ,` -> `whale,`) or a new line, as phone keyboards do. Undefined otherwise.
 * models/lm/keystroke-savings.ts counts keystrokes the same way.
 */
export function replaceAutoSpace(accepted: string, before: string): string | undefined {
  if (!accepted.endsWith(' ') || before.length !== accepted.length + 1 || !before.startsWith(accepted)) return undefined;
  const typed = before[before.length - 1]!;
  if (!replacesAutoSpace(normaliseForWords(typed))) return undefined;
  return accepted.slice(0, -1) + typed;
}
