// Tiny DOM helpers: typed element lookup that fails loudly, and element creation.

/** The element matching `selector`, or an error naming it (a page/markup mismatch is a bug). */
export function requireElement<T extends Element = HTMLElement>(selector: string, root: ParentNode = document): T {
  const found = root.querySelector<T>(selector);
  if (!found) throw new Error(`page markup is missing ${selector}`);
  return found;
}

type Attrs = Record<string, string | number | boolean | undefined>;

/** Creates an element with attributes (`class`, `aria-*`, properties such as `textContent`) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (key === 'textContent') node.textContent = String(value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children);
  return node;
}

/** Shows or hides an element (and removes it from the accessibility tree when hidden). */
export function setVisible(node: HTMLElement, visible: boolean): void {
  node.classList.toggle('hidden', !visible);
}

/** Writes a message into a notice element and shows it; an empty message hides it. */
export function showNotice(node: HTMLElement, message: string, kind: 'info' | 'warn' | 'error' = 'info'): void {
  node.textContent = message;
  node.classList.remove('error', 'warn');
  if (kind !== 'info') node.classList.add(kind);
  setVisible(node, message !== '');
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
