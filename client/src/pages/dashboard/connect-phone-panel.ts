// "Connect a phone": the phone page's LAN URL(s) as QR codes, from GET /api/phone-link
// (server/plugins/phone-link.ts). Shown only when the server is reachable from the LAN; the URLs
// carry this page's own token only when that token may stream (the server decides).
import { getJson } from '../../net/http.js';
import { h, setVisible } from '../../shared/dom.js';

interface PhoneLink {
  links: { url: string; svg: string }[];
  tokenIncluded: boolean;
  secure: boolean;
  note?: string;
}

export async function showConnectPhonePanel(root: HTMLElement): Promise<void> {
  let link: PhoneLink;
  try {
    link = await getJson<PhoneLink>('/api/phone-link');
  } catch {
    return; // an older server, or a token that may not read it: no panel
  }
  if (link.links.length === 0) return;
  const list = requireList(root);
  list.replaceChildren(
    ...link.links.map(({ url, svg }) =>
      h(
        'li',
        { class: 'phone-link' },
        h('img', { src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`, alt: `QR code of ${displayUrl(url)}`, width: '180', height: '180' }),
        h('a', { href: url, textContent: displayUrl(url) }),
      ),
    ),
  );
  const note = root.querySelector<HTMLElement>('[data-connect="note"]');
  if (note) note.textContent = link.note ?? (link.tokenIncluded ? 'The code includes your token: show it only to phones you trust.' : '');
  setVisible(root, true);
}

/** The URL as shown on screen: the token masked (the QR code and link still carry it). */
function displayUrl(url: string): string {
  return url.replace(/([?&]token=)[^&]+/, '$1…');
}

function requireList(root: HTMLElement): HTMLElement {
  const list = root.querySelector<HTMLElement>('[data-connect="links"]');
  if (!list) throw new Error('connect panel without its [data-connect="links"] list');
  return list;
}
