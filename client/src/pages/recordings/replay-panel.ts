// The Replay section: for the chosen recording, the commands that replay it (the server has no
// replay route), each with a Copy button. Copying falls back to selecting the text when the
// clipboard is unavailable (insecure page, permission refused).
import { requireElement, setVisible } from '../../shared/dom.js';
import { formatLocalTime } from './format.js';
import { recordingPath, replayCommands, replayDeviceId, type ReplayCommands } from './replay-commands.js';
import type { RecordingListEntry } from './recordings-api.js';

export class ReplayPanel {
  private readonly heading: HTMLElement;
  private readonly placeholder: HTMLElement;
  private readonly body: HTMLElement;
  private readonly liveNote: HTMLElement;
  private readonly device: HTMLElement;
  private readonly copied: HTMLElement;
  private readonly code: Record<keyof ReplayCommands, HTMLElement>;
  private commands: ReplayCommands | undefined;
  /** The recording shown, if any. */
  shownId: string | undefined;

  constructor(root: HTMLElement) {
    this.heading = requireElement('#replay-heading', root);
    this.placeholder = requireElement('[data-replay="placeholder"]', root);
    this.body = requireElement('[data-replay="body"]', root);
    this.liveNote = requireElement('[data-replay="live"]', root);
    this.device = requireElement('[data-replay="device"]', root);
    this.copied = requireElement('[data-replay="copied"]', root);
    this.code = { score: requireElement('[data-replay="score"] code', root), stream: requireElement('[data-replay="stream"] code', root) };
    for (const kind of ['score', 'stream'] as const) {
      requireElement<HTMLButtonElement>(`[data-copy="${kind}"]`, root).addEventListener('click', () => void this.copy(kind));
    }
  }

  /** Shows the commands for a recording and moves the focus to them. */
  show(entry: RecordingListEntry, dir: string | undefined, deviceUrl: string): void {
    this.shownId = entry.id;
    this.commands = replayCommands(recordingPath(dir, entry.id), deviceUrl);
    this.heading.textContent = `Replay ${entry.deviceId}, ${formatLocalTime(new Date(entry.startedAt))}`;
    this.code.score.textContent = this.commands.score;
    this.code.stream.textContent = this.commands.stream;
    this.device.textContent = replayDeviceId(entry.id);
    this.copied.textContent = '';
    this.update(entry);
    setVisible(this.placeholder, false);
    setVisible(this.body, true);
    this.heading.focus();
  }

  /** Keeps the "still recording" note current. */
  update(entry: RecordingListEntry | undefined): void {
    if (entry && entry.id === this.shownId) setVisible(this.liveNote, entry.active);
  }

  private async copy(kind: keyof ReplayCommands): Promise<void> {
    const text = this.commands?.[kind];
    if (!text) return;
    try {
      await navigator.clipboard.writeText(text);
      this.copied.textContent = 'Command copied to the clipboard.';
    } catch {
      const range = document.createRange();
      range.selectNodeContents(this.code[kind]);
      const selection = window.getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
      this.copied.textContent = 'The clipboard is not available here: the command is selected, press Ctrl+C (⌘C) to copy it.';
    }
  }
}
