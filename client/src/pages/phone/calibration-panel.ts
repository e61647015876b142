// "Teach it your activities": pick an activity, record it for 20 s (the samples sent meanwhile carry
// that label: the protocol's ground-truth path), repeat for others, then Personalise — the server
// fits this phone's own head. Reset goes back to the shared model. The panel shows what was
// recorded, the server's answers (with its typed errors) and whether predictions are personal.
import type { CalibrationAction, CalibrationStatusMessage } from '../../../../protocol/calibration-messages.js';
import { h, requireElement, setVisible, showNotice } from '../../shared/dom.js';

/** How long one recording lasts (the issue's "~20 s of each activity"). */
export const RECORD_SECONDS = 20;

export interface CalibrationPanelHooks {
  /** Sends a calibration command; false when not connected. */
  send: (action: CalibrationAction) => boolean;
}

export class CalibrationPanel {
  private readonly activity: HTMLSelectElement;
  private readonly record: HTMLButtonElement;
  private readonly personalise: HTMLButtonElement;
  private readonly reset: HTMLButtonElement;
  private readonly collected: HTMLElement;
  private readonly state: HTMLElement;
  private readonly notice: HTMLElement;
  private recording: { activity: string; until: number; timer: ReturnType<typeof setInterval> } | undefined;
  private collecting = false;
  private personal = false;

  constructor(
    private readonly root: HTMLElement,
    private readonly hooks: CalibrationPanelHooks,
    private readonly recordSeconds = RECORD_SECONDS,
  ) {
    this.activity = requireElement<HTMLSelectElement>('#calibration-activity', root);
    this.record = requireElement<HTMLButtonElement>('#calibration-record', root);
    this.personalise = requireElement<HTMLButtonElement>('#calibration-personalise', root);
    this.reset = requireElement<HTMLButtonElement>('#calibration-reset', root);
    this.collected = requireElement('#calibration-collected', root);
    this.state = requireElement('#calibration-state', root);
    this.notice = requireElement('#calibration-notice', root);
    this.record.addEventListener('click', () => (this.recording ? this.stopRecording() : this.startRecording()));
    this.personalise.addEventListener('click', () => this.command('personalise'));
    this.reset.addEventListener('click', () => this.command('reset'));
    this.record.textContent = `Record ${recordSeconds} s`;
    this.setConnected(false);
    this.showState();
  }

  /** The label samples carry right now (while recording), else undefined. */
  get label(): string | undefined {
    return this.recording?.activity;
  }

  /** The model's classes (from the welcome): the activities one can teach. */
  setClasses(classes: readonly string[]): void {
    const current = this.activity.value;
    this.activity.replaceChildren(...classes.map((c) => h('option', { value: c, textContent: c })));
    if (classes.includes(current)) this.activity.value = current;
  }

  setConnected(connected: boolean): void {
    setVisible(this.root, true);
    for (const b of [this.record, this.personalise, this.reset]) b.disabled = !connected;
    this.activity.disabled = !connected;
    if (!connected && this.recording) this.stopRecording();
  }

  /** A calibration-status from the server. */
  onStatus(s: CalibrationStatusMessage): void {
    this.collecting = s.state === 'collecting';
    this.personal = s.personal;
    const rows = Object.entries(s.collected);
    this.collected.replaceChildren(...rows.map(([label, c]) => h('li', { 'data-label': label, textContent: `${label}: ${c.windows} windows (~${Math.round(c.seconds)} s)` })));
    setVisible(this.collected, rows.length > 0);
    if (s.error) showNotice(this.notice, `Could not personalise: ${s.error.message} (${s.error.code})`, 'error');
    else if (s.state === 'fitting') showNotice(this.notice, 'Fitting your personal model…', 'info');
    else if (s.personal && s.fitMs !== undefined && s.state === 'idle') showNotice(this.notice, `Personal model ready (fitted in ${(s.fitMs / 1000).toFixed(1)} s).`, 'info');
    else if (s.validation?.kept === 'shared' && s.fitMs !== undefined && s.state === 'idle') {
      const pct = (v: number) => `${Math.round(v * 100)}%`;
      showNotice(
        this.notice,
        `Kept the shared model: on the part of your recordings held back to check, a personal model was no better (shared ${pct(s.validation.shared.accuracy)}, personal ${pct(s.validation.personal.accuracy)}).`,
        'info',
      );
    } else showNotice(this.notice, '');
    this.showState(s);
  }

  private showState(s?: CalibrationStatusMessage): void {
    this.root.dataset.personal = String(this.personal);
    this.state.textContent = this.personal ? `This phone uses its personal model${s?.head ? ` (taught ${s.head.calibrated.join(', ')})` : ''}.` : 'This phone uses the shared model.';
    this.reset.hidden = !this.personal;
  }

  private startRecording(): void {
    const activity = this.activity.value;
    if (!activity) return;
    // The first recording starts a calibration; later ones add to it.
    if (!this.collecting && !this.command('start')) return;
    this.collecting = true;
    const until = Date.now() + this.recordSeconds * 1000;
    this.recording = { activity, until, timer: setInterval(() => this.tick(), 250) };
    this.activity.disabled = true;
    this.tick();
  }

  private tick(): void {
    const r = this.recording;
    if (!r) return;
    const left = Math.ceil((r.until - Date.now()) / 1000);
    if (left <= 0) return this.stopRecording();
    this.record.textContent = `Recording ${r.activity}… ${left} s (tap to stop)`;
    this.root.dataset.recording = r.activity;
  }

  private stopRecording(): void {
    if (this.recording) clearInterval(this.recording.timer);
    this.recording = undefined;
    delete this.root.dataset.recording;
    this.record.textContent = `Record ${this.recordSeconds} s`;
    this.activity.disabled = this.record.disabled;
  }

  private command(action: CalibrationAction): boolean {
    if (action !== 'start' && this.recording) this.stopRecording();
    const sent = this.hooks.send(action);
    if (!sent) showNotice(this.notice, 'Not connected: press Start first.', 'warn');
    return sent;
  }
}
