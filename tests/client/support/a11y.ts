// Accessibility basics checked in the page: every form control and button has an accessible
// name, and visible text meets WCAG AA contrast (4.5:1) against its composited background.
import type { Page } from 'playwright-core';

/** Controls without a label, aria-label(ledby), wrapping label or (buttons) text. */
export function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const bad: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('input, select, textarea, button')) {
      if (el.closest('.hidden') || (el as HTMLInputElement).type === 'hidden') continue;
      const labelled =
        el.getAttribute('aria-label')?.trim() ||
        el.getAttribute('aria-labelledby') ||
        (el.id && document.querySelector(`label[for="${el.id}"]`)) ||
        el.closest('label') ||
        (el.tagName === 'BUTTON' && el.textContent?.trim());
      if (!labelled) bad.push(el.outerHTML.slice(0, 120));
    }
    return bad;
  });
}

export interface ContrastProblem {
  text: string;
  ratio: number;
  color: string;
  background: string;
}

// Plain JavaScript run in the page as a string: TypeScript transpilers may wrap the named inner
// functions of a typed callback in helpers (esbuild's __name) that do not exist in the page.
const CONTRAST_SCRIPT = String.raw`(minRatio) => {
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p[3] ?? 1];
  };
  const over = (top, bottom) => {
    const a = top[3] + bottom[3] * (1 - top[3]);
    if (a === 0) return [0, 0, 0, 0];
    const mix = (i) => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a;
    return [mix(0), mix(1), mix(2), a];
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const bg = parse(getComputedStyle(e).backgroundColor);
      if (bg[3] > 0) layers.push(bg);
      if (bg[3] >= 1) break;
    }
    let out = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) out = over(layers[i], out);
    return out;
  };
  const lum = (c) => {
    const f = (v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const problems = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el || el.closest('script, style, [disabled], .visually-hidden')) continue;
    const rect = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (rect.width === 0 || rect.height === 0 || style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
    const bg = background(el);
    const fg = over(parse(style.color), bg);
    const [l1, l2] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    if (ratio < minRatio) {
      problems.push({ text: text.slice(0, 40), ratio: Math.round(ratio * 100) / 100, color: style.color, background: 'rgb(' + bg.slice(0, 3).map(Math.round).join(',') + ')' });
    }
  }
  return problems;
}`;

/** Visible text below `min` contrast (disabled controls are exempt, as WCAG allows). */
export function lowContrastText(page: Page, min = 4.5): Promise<ContrastProblem[]> {
  return page.evaluate(`(${CONTRAST_SCRIPT})(${min})`) as Promise<ContrastProblem[]>;
}
