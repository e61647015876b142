// "Where is the phone?": one tap among the protocol's placements; the choice is remembered on this
// phone and goes into the hello (the model may use it). A change applies from the next Start.
import { PLACEMENTS, type Placement } from '../../../../protocol/sensor-messages.js';
import { h } from '../../shared/dom.js';

const STORAGE_KEY = 'sensorium.placement';
const LABELS: Record<Placement, string> = { pocket: 'Trouser pocket', waist: 'Waist / belt', hand: 'In my hand', bag: 'Bag', unknown: "Don't know" };

export class PlacementPicker {
  private value: Placement;

  constructor(
    private readonly root: HTMLElement,
    private readonly onChange: (placement: Placement) => void = () => {},
  ) {
    const stored = safeStorage()?.getItem(STORAGE_KEY);
    this.value = (PLACEMENTS as readonly string[]).includes(stored ?? '') ? (stored as Placement) : 'unknown';
    this.render();
  }

  get placement(): Placement {
    return this.value;
  }

  private render(): void {
    this.root.replaceChildren(
      ...PLACEMENTS.map((p) => {
        const button = h('button', { type: 'button', class: 'placement secondary', 'data-placement': p, 'aria-pressed': String(p === this.value), textContent: LABELS[p] });
        button.addEventListener('click', () => this.choose(p));
        return button;
      }),
    );
  }

  private choose(p: Placement): void {
    this.value = p;
    safeStorage()?.setItem(STORAGE_KEY, p);
    for (const b of this.root.querySelectorAll<HTMLButtonElement>('button[data-placement]')) b.setAttribute('aria-pressed', String(b.dataset.placement === p));
    this.onChange(p);
  }
}

/** localStorage, or undefined where it is blocked (private modes, sandboxed frames). */
function safeStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}
