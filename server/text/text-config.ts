// Settings of the text service (/ws/text and /api/text/generate): which model, how steps are
// batched across sessions, and the bounds every session lives within. Environment variables
// override the defaults (textConfigFromEnv); bad values throw naming the variable.

export interface TextServiceConfig {
  /** Model used when a client names none. Env SENSORIUM_TEXT_MODEL. */
  defaultModel: string;
  /** Models a client may ask for (names in models/trained). Env SENSORIUM_TEXT_MODELS (comma-separated). */
  allowedModels: string[];
  /** Sessions open at once; beyond it `start` gets too-many-sessions. Env SENSORIUM_TEXT_MAX_SESSIONS. */
  maxSessions: number;
  /** A session with no frame for this long is closed. Env SENSORIUM_TEXT_IDLE_MS. */
  idleTimeoutMs: number;
  /** Longest text per session (and prompt), characters. */
  maxChars: number;
  /** Boundaries whose LSTM state a session always keeps (deletions within them cost one step). */
  recentStates: number;
  /** Older boundaries keep a state every this many tokens. */
  checkpointStride: number;
  /** Cap on tokens per generation. Env SENSORIUM_TEXT_MAX_GENERATE. */
  maxGenerateTokens: number;
  /** Generations running at once per connection. */
  maxGenerationsPerConnection: number;
  /** Largest WebSocket frame, bytes. */
  maxFrameBytes: number;
  /** Bytes waiting on a socket beyond which a generation waits for the client to read and other replies are dropped. */
  maxBufferedBytes: number;
  /** A client that cannot be written to for this long is disconnected, ms. */
  slowConsumerMs: number;
  /** Frames a connection may send per second (bursts of twice that); beyond it: `rate-limited`. Env SENSORIUM_TEXT_MAX_FRAMES_PER_SEC. */
  framesPerSec: number;
  /** Error replies per second per connection (bursts of twice that); further errors are counted, not sent. */
  errorsPerSec: number;
  batching: {
    /** Largest batch of LSTM steps. Env SENSORIUM_TEXT_MAX_BATCH. */
    maxBatch: number;
    /** Longest a step waits for others, ms. Env SENSORIUM_TEXT_MAX_DELAY_MS. */
    maxDelayMs: number;
    /** Steps allowed to wait; beyond it edits get `overloaded`. */
    maxQueue: number;
  };
}

export const DEFAULT_TEXT_CONFIG: TextServiceConfig = {
  defaultModel: 'english-word',
  allowedModels: ['english-word', 'shakespeare-char'],
  maxSessions: 1000,
  idleTimeoutMs: 5 * 60_000,
  maxChars: 20_000,
  recentStates: 64,
  checkpointStride: 32,
  maxGenerateTokens: 500,
  maxGenerationsPerConnection: 2,
  maxFrameBytes: 64 * 1024,
  maxBufferedBytes: 1 << 20,
  slowConsumerMs: 30_000,
  framesPerSec: 100,
  errorsPerSec: 20,
  batching: { maxBatch: 256, maxDelayMs: 1, maxQueue: 8192 },
};

export class TextConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TextConfigError';
  }
}

export function textConfigFromEnv(env: NodeJS.ProcessEnv = process.env, base: TextServiceConfig = DEFAULT_TEXT_CONFIG): TextServiceConfig {
  const c: TextServiceConfig = structuredClone(base);
  const int = (name: string, min: number): number | undefined => {
    const raw = env[name]?.trim();
    if (!raw) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new TextConfigError(`${name} must be a whole number >= ${min} (got '${raw}')`);
    return n;
  };
  c.defaultModel = env.SENSORIUM_TEXT_MODEL?.trim() || c.defaultModel;
  if (env.SENSORIUM_TEXT_MODELS?.trim()) c.allowedModels = env.SENSORIUM_TEXT_MODELS.split(',').map((s) => s.trim()).filter(Boolean);
  if (!c.allowedModels.includes(c.defaultModel)) c.allowedModels.push(c.defaultModel);
  c.maxSessions = int('SENSORIUM_TEXT_MAX_SESSIONS', 1) ?? c.maxSessions;
  c.idleTimeoutMs = int('SENSORIUM_TEXT_IDLE_MS', 100) ?? c.idleTimeoutMs;
  c.maxGenerateTokens = int('SENSORIUM_TEXT_MAX_GENERATE', 1) ?? c.maxGenerateTokens;
  c.framesPerSec = int('SENSORIUM_TEXT_MAX_FRAMES_PER_SEC', 1) ?? c.framesPerSec;
  c.batching.maxBatch = int('SENSORIUM_TEXT_MAX_BATCH', 1) ?? c.batching.maxBatch;
  c.batching.maxDelayMs = int('SENSORIUM_TEXT_MAX_DELAY_MS', 0) ?? c.batching.maxDelayMs;
  return c;
}
