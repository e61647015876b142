// The simulators `npm run simulate` knows.
import type { Subcommand } from '../cli/subcommands.js';

export const simulators: Record<string, Subcommand> = {
  typist: { summary: 'typists using live word suggestions over /ws/text; keystroke savings, top-3 hits, latency', load: () => import('./typist.js') },
  phones: { summary: 'synthetic phones doing scripted activities, streaming over WebSockets (demo, load)', load: () => import('./phones.js') },
  replay: { summary: 'replay recorded datasets (HAPT, CSV) through the server and score its predictions', load: () => import('./replay.js') },
};
