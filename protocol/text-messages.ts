// The text wire protocol of /ws/text: what a typing client (editor, typist simulator) and the
// server say to each other. One definition, imported by the server, the client and the
// simulator. Frames are JSON text (or msgpack binary, see codec.ts) objects with a `type`.

export const TEXT_PATH = '/ws/text';
export const GENERATE_PATH = '/api/text/generate';

import { describeValue } from './describe-value.js';

// ---- client -> server -------------------------------------------------------------------

/** Opens (or re-opens) the session on a model. Must come first. */
export interface StartMessage {
  type: 'start';
  /** Model name (models/trained/<name>); the server default when omitted. */
  model?: string;
  /** Suggestions per list (1-10, default 3). */
  k?: number;
  /**
   * The writer's id (8-64 chars of [A-Za-z0-9_-], e.g. a random UUID the client keeps): what the
   * server learns of this writer's words is kept under it and used again in their next session.
   * Without it, suggestions adapt to this session's text only, and nothing is stored.
   */
  writer?: string;
}

/** Forgets what the server learned of this session's writer (stored history and this text so far). */
export interface ForgetMessage {
  type: 'forget';
}

/**
 * An edit at the end of the text: `delete` characters are removed (backspace), then `insert`
 * appended. `reset` clears the text first: send it with the text before the cursor when the
 * cursor moves or a new document starts (the server keeps what is unchanged).
 */
export interface EditMessage {
  type: 'edit';
  /** Client counter, echoed in the answer. */
  seq: number;
  insert?: string;
  delete?: number;
  reset?: boolean;
  /** Client clock (ms) when the keystroke happened, echoed back for end-to-end latency. */
  sentAt?: number;
}

/** Samples a continuation, streamed back as `token` messages and a final `done`. */
export interface GenerateMessage {
  type: 'generate';
  /** Client id of this generation, echoed on every token. */
  id: string;
  /** Text to continue (the session's text is not used). */
  prompt?: string;
  /** Softmax temperature (0.05-5, default 0.8). */
  temperature?: number;
  /** Sample among the k most probable tokens (0 = all, default 0). */
  topK?: number;
  /** Tokens to generate (1 to the server's cap, default 100). */
  maxTokens?: number;
  /** Seed of the sampler, for reproducible output. */
  seed?: number;
}

/** Stops a running generation. */
export interface StopMessage {
  type: 'stop';
  id: string;
}

export type TextClientMessage = StartMessage | EditMessage | GenerateMessage | StopMessage | ForgetMessage;

// ---- server -> client -------------------------------------------------------------------

export interface TextLimits {
  maxChars: number;
  maxGenerateTokens: number;
  idleTimeoutMs: number;
  maxSessions: number;
  maxFrameBytes: number;
}

export interface ReadyMessage {
  type: 'ready';
  model: string;
  tokens: 'char' | 'word';
  vocabSize: number;
  k: number;
  limits: TextLimits;
  /** Word models: what the suggestions adapt to (the writer's stored history, when a writer id was given). */
  writer?: WriterInfo;
}

export interface WriterInfo {
  /** The writer id of the start message (absent: this session only, nothing stored). */
  id?: string;
  /** Tokens of the writer's history the session started with. */
  learnedTokens: number;
  /** Most tokens kept per writer (the oldest are forgotten first). */
  maxTokens: number;
}

/** The answer to `forget`: the writer's history is gone (memory and disk). */
export interface ForgottenMessage {
  type: 'forgotten';
  writer?: string;
}

export interface WordSuggestion {
  word: string;
  /** Model probability of this word (completions: of the word given the typed prefix's context). */
  p: number;
  /** Word models: 'writer' when what this writer typed gave the word most of its probability. */
  source?: 'model' | 'writer';
}

export interface SuggestionsMessage {
  type: 'suggestions';
  /** seq of the latest edit included. */
  seq: number;
  /** What was typed of the current word ('' at a word boundary). */
  prefix: string;
  /** Words completing the prefix (next words when it is empty), most probable first. */
  completions: WordSuggestion[];
  /** Most probable next tokens after the last complete token (characters for char models). */
  next: WordSuggestion[];
  /** Tokens of context the model holds. */
  contextTokens: number;
  /** Edit received -> suggestions sent, server side, ms. */
  latencyMs: number;
  /** The edit's sentAt, echoed. */
  sentAt?: number;
}

export interface TokenMessage {
  type: 'token';
  id: string;
  index: number;
  /** Text to append (a word with its leading space, or a character). */
  text: string;
}

export interface DoneMessage {
  type: 'done';
  id: string;
  tokens: number;
  /** Why it ended: the length cap, a stop request, or an error. */
  reason: 'length' | 'stopped' | 'error';
  text: string;
  ms: number;
}

export type TextErrorCode =
  | 'bad-frame' // undecodable
  | 'invalid' // not a valid message
  | 'not-started' // edit/generate before start
  | 'unknown-model'
  | 'too-many-sessions'
  | 'context-too-long'
  | 'too-many-tokens' // generation above the cap
  | 'busy' // a generation with this id is running, or too many at once
  | 'overloaded' // the step queue is full: try again
  | 'idle-timeout'
  | 'rate-limited' // more frames per second than the server takes: frame dropped
  | 'internal';

export interface TextErrorMessage {
  type: 'error';
  code: TextErrorCode;
  message: string;
  /** The edit's seq or the generation's id, when the error concerns one. */
  seq?: number;
  id?: string;
}

export type TextServerMessage = ReadyMessage | SuggestionsMessage | TokenMessage | DoneMessage | TextErrorMessage | ForgottenMessage;

// ---- validation -------------------------------------------------------------------------

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const MAX_ID = 64;

/** Checks a decoded frame against the client messages; never throws. */
export function parseTextClientMessage(v: unknown): Parsed<TextClientMessage> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return fail('a message must be a JSON object');
  const m = v as Record<string, unknown>;
  switch (m.type) {
    case 'start': {
      if (m.model !== undefined && !isName(m.model)) return fail('start.model must be a model name (1-64 chars of [A-Za-z0-9._-])');
      if (m.k !== undefined && !isInt(m.k, 1, 10)) return fail('start.k must be a whole number from 1 to 10');
      if (m.writer !== undefined && !isWriterId(m.writer)) return fail('start.writer must be a writer id (8-64 chars of [A-Za-z0-9_-])');
      return ok({ type: 'start', model: m.model as string | undefined, k: m.k as number | undefined, ...(m.writer !== undefined ? { writer: m.writer as string } : {}) });
    }
    case 'edit': {
      if (!isInt(m.seq, 0, Number.MAX_SAFE_INTEGER)) return fail('edit.seq must be a whole number >= 0');
      if (m.insert !== undefined && typeof m.insert !== 'string') return fail('edit.insert must be a string');
      if (m.delete !== undefined && !isInt(m.delete, 0, 1_000_000)) return fail('edit.delete must be a whole number >= 0');
      if (m.reset !== undefined && typeof m.reset !== 'boolean') return fail('edit.reset must be true or false');
      if (m.sentAt !== undefined && !(typeof m.sentAt === 'number' && Number.isFinite(m.sentAt))) return fail('edit.sentAt must be a number');
      return ok({
        type: 'edit',
        seq: m.seq as number,
        insert: m.insert as string | undefined,
        delete: m.delete as number | undefined,
        reset: m.reset as boolean | undefined,
        sentAt: m.sentAt as number | undefined,
      });
    }
    case 'generate': {
      if (typeof m.id !== 'string' || m.id.length === 0 || m.id.length > MAX_ID) return fail(`generate.id must be a string of 1-${MAX_ID} characters`);
      if (m.prompt !== undefined && typeof m.prompt !== 'string') return fail('generate.prompt must be a string');
      if (m.temperature !== undefined && !isNum(m.temperature, 0.05, 5)) return fail('generate.temperature must be a number from 0.05 to 5');
      if (m.topK !== undefined && !isInt(m.topK, 0, 100_000)) return fail('generate.topK must be a whole number >= 0');
      if (m.maxTokens !== undefined && !isInt(m.maxTokens, 1, Number.MAX_SAFE_INTEGER)) return fail('generate.maxTokens must be a whole number >= 1');
      if (m.seed !== undefined && !isInt(m.seed, 0, 2 ** 32 - 1)) return fail('generate.seed must be a whole number from 0 to 2^32-1');
      return ok({
        type: 'generate',
        id: m.id,
        prompt: m.prompt as string | undefined,
        temperature: m.temperature as number | undefined,
        topK: m.topK as number | undefined,
        maxTokens: m.maxTokens as number | undefined,
        seed: m.seed as number | undefined,
      });
    }
    case 'stop':
      if (typeof m.id !== 'string' || m.id.length === 0 || m.id.length > MAX_ID) return fail(`stop.id must be a string of 1-${MAX_ID} characters`);
      return ok({ type: 'stop', id: m.id });
    case 'forget':
      return ok({ type: 'forget' });
    default:
      return fail(`unknown message type ${describeValue(m.type)} (expected start, edit, generate, stop or forget)`);
  }
}

function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}
function fail<T>(error: string): Parsed<T> {
  return { ok: false, error };
}
function isInt(v: unknown, lo: number, hi: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
}
function isNum(v: unknown, lo: number, hi: number): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi;
}
/** A writer id names a file on the server: only safe characters, never a path. */
export function isWriterId(v: unknown): v is string {
  return typeof v === 'string' && /^[A-Za-z0-9_-]{8,64}$/.test(v);
}
function isName(v: unknown): v is string {
  return typeof v === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(v);
}
