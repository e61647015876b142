// Which configured token the terminal's QR code carries: one that may stream (device or admin
// scope). The terminal belongs to whoever started the server, who already holds every token.
import { parseTokenEntry } from '../security/auth.js';

export function streamingToken(entries: readonly string[]): string | undefined {
  for (const entry of entries) {
    const { scope, token } = parseTokenEntry(entry);
    if ((scope === 'device' || scope === 'admin') && token.length > 0) return token;
  }
  return undefined;
}
