// Content negotiation between JSON and PNG replies: ?format=png|json wins; otherwise the Accept
// header's quality values decide, and ties (e.g. "*/*") go to JSON. An <img> tag's Accept
// ("image/*,*/*;q=0.8") thus gets a PNG, curl's default gets JSON.
import { ImageRequestError } from './errors.js';

export type ReplyFormat = 'json' | 'png';

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

function parseAccept(header: string): MediaRange[] {
  return header
    .split(',')
    .map((part) => {
      const [range = '', ...params] = part.trim().split(';');
      const [type = '', subtype = '*'] = range.trim().toLowerCase().split('/');
      const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const q = qParam ? Number(qParam.slice(2)) : 1;
      return { type, subtype, q: Number.isFinite(q) ? q : 0 };
    })
    .filter((r) => r.type !== '');
}

/** The quality the Accept header gives a media type: its most specific matching range. */
function quality(ranges: MediaRange[], type: string, subtype: string): number {
  let best = -1;
  let q = 0;
  for (const r of ranges) {
    const specificity = r.type === type && r.subtype === subtype ? 2 : r.type === type && r.subtype === '*' ? 1 : r.type === '*' ? 0 : -1;
    if (specificity > best) {
      best = specificity;
      q = r.q;
    }
  }
  return best < 0 ? 0 : q;
}

export function negotiateFormat(accept: string | undefined, format: string | undefined): ReplyFormat {
  if (format === 'png' || format === 'json') return format;
  if (!accept) return 'json';
  const ranges = parseAccept(accept);
  const png = quality(ranges, 'image', 'png');
  const json = quality(ranges, 'application', 'json');
  if (png === 0 && json === 0) {
    throw new ImageRequestError(406, 'not-acceptable', `this route answers application/json or image/png; the Accept header allows neither (${accept})`);
  }
  return png > json ? 'png' : 'json';
}
