// Tokens per second that all text generations of one server share, /ws/text and
// POST /api/text/generate alike (bursts of as many; config.generationTokensPerSec): each token
// costs a model step (a 6,000-word softmax) in the text worker every typist shares, and a frame
// on the event loop. When tokens were drawn on the event loop, generations alone took a quarter
// of it under the hostile mix. A 100-token generation still takes half a second when nobody else generates.
import { TokenBucket } from '../../lib/token-bucket.js';
import { DEFAULT_TEXT_CONFIG } from './text-config.js';
import type { TextService } from './text-service.js';

export const GENERATION_TOKENS_PER_SEC = DEFAULT_TEXT_CONFIG.generationTokensPerSec;
const budgets = new WeakMap<TextService, TokenBucket>();

/** Waits until the server's budget allows the next token, or until `stopped()` says the generation ended. */
export async function nextGenerationToken(service: TextService, stopped: () => boolean): Promise<void> {
  const perSec = service.config.generationTokensPerSec;
  let budget = budgets.get(service);
  if (!budget) budgets.set(service, (budget = new TokenBucket(perSec, perSec)));
  while (!stopped() && !budget.take()) await new Promise((r) => setTimeout(r, 1000 / perSec));
}
