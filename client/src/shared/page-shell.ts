// The header every page shares: site name, navigation (current page marked for screen readers)
// and a connection indicator the page's socket drives.
import './styles.css';
import { h } from './dom.js';

export type PageId = 'dashboard' | 'phone' | 'typing' | 'lab' | 'recordings' | 'models';

const PAGES: { id: PageId; href: string; title: string }[] = [
  { id: 'dashboard', href: '/', title: 'Dashboard' },
  { id: 'phone', href: '/phone/', title: 'Phone sensor' },
  { id: 'typing', href: '/typing/', title: 'Typing' },
  { id: 'lab', href: '/lab/', title: 'Image lab' },
  { id: 'recordings', href: '/recordings/', title: 'Recordings' },
  { id: 'models', href: '/models/', title: 'Models' },
];

export interface PageShell {
  /** Updates the connection indicator in the header. */
  setConnection(state: 'connecting' | 'open' | 'closed', text: string): void;
}

export function mountPageShell(current: PageId): PageShell {
  const links = PAGES.map((p) => h('li', {}, h('a', { href: p.href, 'aria-current': p.id === current ? 'page' : undefined, textContent: p.title })));
  const dot = h('span', { class: 'status-dot', 'aria-hidden': 'true' });
  const connText = h('span', { textContent: '' });
  const conn = h('span', { class: 'conn', role: 'status', 'aria-live': 'polite' }, dot, connText);
  const header = h('header', { class: 'site-header' }, h('span', { class: 'brand', textContent: 'Sensorium' }), h('nav', { 'aria-label': 'Pages' }, h('ul', {}, ...links)), conn);
  document.body.prepend(header);
  return {
    setConnection(state, text) {
      dot.className = `status-dot ${state}`;
      connText.textContent = text;
    },
  };
}
