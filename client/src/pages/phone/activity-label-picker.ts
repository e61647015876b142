// "I'm doing: …": what the person is doing now, sent with every samples frame as ground truth
// (the protocol's per-sample `labels`), so this phone's recordings are labelled and the dashboard
// scores the model against it. The model's classes (from the welcome), or free text for anything
// else; "Not saying" sends no labels. Remembered on this phone, like the placement.
import { h } from '../../shared/dom.js';

const STORAGE_KEY = 'sensorium.doing';
const CLASSES_KEY = 'sensorium.classes';
/** The protocol refuses longer labels (protocol/validate-sensor.ts). */
export const MAX_LABEL_LENGTH = 64;
const NONE = '';
const OTHER = '__other__';

export class ActivityLabelPicker {
  private readonly select: HTMLSelectElement;
  private readonly other: HTMLInputElement;
  private classes: string[];

  constructor(root: HTMLElement) {
    this.select = requireChild<HTMLSelectElement>(root, 'select');
    this.other = requireChild<HTMLInputElement>(root, 'input');
    this.other.maxLength = MAX_LABEL_LENGTH;
    // Before the first welcome, the classes this phone last saw (the picker works before Start).
    this.classes = parseList(storage()?.getItem(CLASSES_KEY));
    this.renderOptions(storage()?.getItem(STORAGE_KEY) ?? NONE);
    this.select.addEventListener('change', () => this.changed());
    this.other.addEventListener('input', () => this.remember());
  }

  /** The label to send with the samples, or undefined for none. */
  get label(): string | undefined {
    const value = this.select.value === OTHER ? this.other.value.trim().slice(0, MAX_LABEL_LENGTH) : this.select.value;
    return value === NONE ? undefined : value;
  }

  /** The model's classes, from the welcome. */
  setClasses(classes: readonly string[]): void {
    if (classes.join('\n') === this.classes.join('\n')) return;
    const current = this.label ?? NONE;
    this.classes = [...classes];
    storage()?.setItem(CLASSES_KEY, JSON.stringify(this.classes));
    this.renderOptions(current);
  }

  private renderOptions(selected: string): void {
    const known = selected === NONE || this.classes.includes(selected);
    this.select.replaceChildren(
      h('option', { value: NONE, textContent: 'Not saying (no labels)' }),
      ...this.classes.map((c) => h('option', { value: c, textContent: c })),
      h('option', { value: OTHER, textContent: 'Something else…' }),
    );
    this.select.value = known ? selected : OTHER;
    if (!known) this.other.value = selected;
    this.other.hidden = this.select.value !== OTHER;
  }

  private changed(): void {
    this.other.hidden = this.select.value !== OTHER;
    if (!this.other.hidden) this.other.focus();
    this.remember();
  }

  private remember(): void {
    storage()?.setItem(STORAGE_KEY, this.label ?? NONE);
  }
}

function requireChild<T extends HTMLElement>(root: HTMLElement, selector: string): T {
  const el = root.querySelector<T>(selector);
  if (!el) throw new Error(`activity label picker without its ${selector}`);
  return el;
}

function parseList(text: string | null | undefined): string[] {
  try {
    const v: unknown = JSON.parse(text ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.length <= MAX_LABEL_LENGTH) : [];
  } catch {
    return [];
  }
}

/** localStorage, or undefined where it is blocked (private modes, sandboxed frames). */
function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}
