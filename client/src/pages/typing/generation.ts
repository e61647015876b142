// Streams sampled text from POST /api/text/generate (NDJSON: {"index","token"} per token, then
// {"done": true, ...}) and hands each token over as it arrives. Abortable.
import { GENERATE_PATH } from '../../../../protocol/text-messages.js';
import { HttpError } from '../../net/http.js';

export interface GenerateRequest {
  prompt: string;
  model?: string;
  temperature: number;
  maxTokens: number;
  topK?: number;
  seed?: number;
}

export interface GenerateResult {
  tokens: number;
  reason: 'length' | 'stopped' | 'error';
  ms: number;
  error?: string;
}

interface TokenLine {
  index: number;
  token: string;
}

interface DoneLine {
  done: true;
  tokens: number;
  reason: 'length' | 'stopped' | 'error';
  ms?: number;
  error?: string;
  message?: string;
}

export async function streamGeneration(request: GenerateRequest, onToken: (text: string) => void, signal: AbortSignal): Promise<GenerateResult> {
  const started = performance.now();
  const res = await fetch(GENERATE_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/x-ndjson' },
    body: JSON.stringify(request),
    signal,
  });
  if (!res.ok || !res.body) {
    const body = (await res.json().catch(() => ({}))) as { message?: string };
    throw new HttpError(res.status, `generation failed (${res.status}): ${body.message ?? res.statusText}`);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  let tokens = 0;
  let result: GenerateResult | undefined;
  try {
    // Read to the end of the stream (the done line is the last): leaving early would abort it.
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += value;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (!line) continue;
        const parsed = JSON.parse(line) as TokenLine | DoneLine;
        if ('done' in parsed) {
          result = {
            tokens: parsed.tokens,
            reason: parsed.reason,
            ms: parsed.ms ?? performance.now() - started,
            ...(parsed.reason === 'error' ? { error: parsed.message ?? parsed.error ?? 'unknown error' } : {}),
          };
        } else {
          tokens++;
          onToken(parsed.token);
        }
      }
    }
  } catch (err) {
    if (signal.aborted) return { tokens, reason: 'stopped', ms: performance.now() - started };
    throw err;
  }
  if (result) return result;
  // The stream ended without a done line: the connection was cut.
  return { tokens, reason: 'error', ms: performance.now() - started, error: 'the stream ended early' };
}
