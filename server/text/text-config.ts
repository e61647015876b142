// Settings of the text service (/ws/text and /api/text/generate): which model, how steps are
// batched across sessions, and the bounds every session lives within. They are part of the
// server's settings (ServerConfig.text): defaults, variables and flags are in the options table
// (server/config/options.ts).
import { ConfigError } from '../config/errors.js';
import { DEFAULT_CONFIG, textSettingsFromEnv } from '../config/parse.js';

export interface TextServiceConfig {
  /** Model used when a client names none. */
  defaultModel: string;
  /** Models a client may ask for (names in models/trained). */
  allowedModels: string[];
  /** Sessions open at once; beyond it `start` gets too-many-sessions. */
  maxSessions: number;
  /** A session with no frame for this long is closed. */
  idleTimeoutMs: number;
  /** Longest text per session (and prompt), characters. */
  maxChars: number;
  /** Boundaries whose LSTM state a session always keeps (deletions within them cost one step). */
  recentStates: number;
  /** Older boundaries keep a state every this many tokens. */
  checkpointStride: number;
  /** Cap on tokens per generation. */
  maxGenerateTokens: number;
  /** Generations running at once per connection. */
  maxGenerationsPerConnection: number;
  /** Tokens per second all /ws/text generations of a server share (bursts of as many). */
  generationTokensPerSec: number;
  /** Largest WebSocket frame, bytes. */
  maxFrameBytes: number;
  /** Bytes waiting on a socket beyond which a generation waits for the client to read and other replies are dropped. */
  maxBufferedBytes: number;
  /** A client that cannot be written to for this long is disconnected, ms. */
  slowConsumerMs: number;
  /** Frames a connection may send per second (bursts of twice that); beyond it: `rate-limited`. */
  framesPerSec: number;
  /** Error replies per second per connection (bursts of twice that); further errors are counted, not sent. */
  errorsPerSec: number;
  /** Folder of the writer histories (one JSON file per writer id). */
  writersDir: string;
  batching: {
    /** Largest batch of LSTM steps. */
    maxBatch: number;
    /** Longest a step waits for others, ms. */
    maxDelayMs: number;
    /** Steps allowed to wait; beyond it edits get `overloaded`. */
    maxQueue: number;
  };
}

export const DEFAULT_TEXT_CONFIG: TextServiceConfig = DEFAULT_CONFIG.text;

export class TextConfigError extends ConfigError {
  constructor(message: string) {
    super(message);
    this.name = 'TextConfigError';
  }
}

/** The text settings from environment variables over `base`; a bad value throws TextConfigError naming it. */
export function textConfigFromEnv(env: NodeJS.ProcessEnv = process.env, base: TextServiceConfig = DEFAULT_TEXT_CONFIG): TextServiceConfig {
  try {
    return textSettingsFromEnv(env, base);
  } catch (err) {
    throw err instanceof ConfigError ? new TextConfigError(err.message) : err;
  }
}
