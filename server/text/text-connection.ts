// One /ws/text connection: a text session on a model, edits applied in order with the
// suggestions answered for the latest (edits that arrive while the model is busy are coalesced),
// streamed generations, an idle timeout, and error frames for everything refused. Whatever a
// client sends, the failure stays in this connection: frames are rate-limited, error replies too,
// and replies to a client that does not read are dropped (then the client is cut), never queued.
import type { RawData, WebSocket } from 'ws';
import { CloseCode } from '../../protocol/close-codes.js';
import { decodeFrame, encodeFrame, type Encoding } from '../../protocol/codec.js';
import { TEXT_FRAME_SHAPE } from '../../protocol/frame-guard.js';
import { parseTextClientMessage, type EditMessage, type GenerateMessage, type TextErrorCode, type TextLimits, type TextServerMessage } from '../../protocol/text-messages.js';
import { generateTokens } from '../../models/lm/generate.js';
import { ContextTooLongError, TextSession } from '../../models/lm/text-session.js';
import { OverloadedError } from '../batching/dynamic-batcher.js';
import { ModelNotFoundError } from '../../models/store/model-store.js';
import { UnknownModelError, type ServedModel, type TextService } from './text-service.js';
import { TokenBucket } from '../../lib/token-bucket.js';
import { SocketOutbox } from '../ws/outbox.js';
import { rawDataBytes } from '../ws/raw-data.js';
import { ReadBudget } from '../ws/read-budget.js';
import { nextGenerationToken } from './generation-budget.js';
import { SessionAdaptation } from '../../models/lm/session-adaptation.js';

interface QueuedEdit {
  msg: EditMessage;
  receivedAt: number;
}

export { GENERATION_TOKENS_PER_SEC } from './generation-budget.js';

export function textLimits(service: TextService): TextLimits {
  const c = service.config;
  return { maxChars: c.maxChars, maxGenerateTokens: c.maxGenerateTokens, idleTimeoutMs: c.idleTimeoutMs, maxSessions: c.maxSessions, maxFrameBytes: c.maxFrameBytes };
}

export class TextConnection {
  private encoding: Encoding = 'json';
  private session: TextSession | undefined;
  private served: ServedModel | undefined;
  /** Word models: what this writer typed (their stored history when a writer id was given). */
  private adaptation: SessionAdaptation | undefined;
  private writerId: string | undefined;
  /** Saves the session's tokens into the writer's history once (at close, a new start, or server shutdown). */
  private saveWriter: (() => Promise<void>) | undefined;
  private k = 3;
  private holdsSlot = false;
  private starting: Promise<void> | undefined;
  private readonly edits: QueuedEdit[] = [];
  private processing = false;
  private readonly generations = new Map<string, { stopped: boolean }>();
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private readonly frames: TokenBucket;
  private readonly errorReplies: TokenBucket;
  /** Bytes decoded per second: one frame-size limit a second (64 KB/s; typing sends ~0.5 KB/s), bursts of four (a pasted document). */
  private readonly readBudget: ReadBudget;
  private readonly outbox: SocketOutbox;

  constructor(
    private readonly ws: WebSocket,
    private readonly service: TextService,
    /** Told of every error this connection meets, sent or not (metrics). */
    private readonly onError: (code: TextErrorCode) => void = () => {},
  ) {
    const c = service.config;
    this.frames = new TokenBucket(c.framesPerSec, c.framesPerSec * 2);
    this.errorReplies = new TokenBucket(c.errorsPerSec, c.errorsPerSec * 2);
    this.readBudget = new ReadBudget(ws, { bytesPerSec: c.maxFrameBytes, burstBytes: 4 * c.maxFrameBytes });
    this.outbox = new SocketOutbox(ws, { maxBufferedBytes: c.maxBufferedBytes, slowConsumerMs: c.slowConsumerMs, onCut: () => this.onClose() });
    ws.on('message', (data, isBinary) => {
      try {
        this.onFrame(data, isBinary);
      } catch (err) {
        this.fail(err);
      }
    });
    ws.on('close', () => this.onClose());
    ws.on('error', () => this.onClose());
    this.touch();
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    this.touch();
    const receivedAt = performance.now();
    this.encoding = isBinary ? 'msgpack' : 'json';
    if (!this.frames.take()) return this.error('rate-limited', `more than ${this.service.config.framesPerSec} frames/s: frame dropped`);
    const bytes = rawDataBytes(data);
    if (!this.readBudget.admit(bytes.byteLength)) return this.error('rate-limited', `more than ${this.readBudget.limits.bytesPerSec} bytes/s: frame dropped, reading paused`);
    const decoded = decodeFrame(bytes, isBinary, TEXT_FRAME_SHAPE);
    if (!decoded.ok) return this.error('bad-frame', decoded.error);
    const parsed = parseTextClientMessage(decoded.value);
    if (!parsed.ok) return this.error('invalid', parsed.error);
    const msg = parsed.value;
    switch (msg.type) {
      case 'start':
        this.starting = this.start(msg.model, msg.k ?? 3, msg.writer).catch((err: unknown) => this.fail(err));
        return;
      case 'forget':
        this.forget().catch((err: unknown) => this.fail(err));
        return;
      case 'edit':
        this.edits.push({ msg, receivedAt });
        this.processEdits().catch((err: unknown) => this.fail(err, { seq: msg.seq }));
        return;
      case 'generate':
        this.generate(msg).catch((err: unknown) => this.fail(err, { id: msg.id }));
        return;
      case 'stop': {
        const g = this.generations.get(msg.id);
        if (g) g.stopped = true;
        return;
      }
    }
  }

  private async start(model: string | undefined, k: number, writer: string | undefined): Promise<void> {
    await this.starting?.catch(() => undefined);
    await this.endWriterSession();
    if (!this.holdsSlot) {
      if (!this.service.openSession()) {
        this.error('too-many-sessions', `the server holds ${this.service.config.maxSessions} text sessions already; try again later`);
        return;
      }
      this.holdsSlot = true;
    }
    try {
      const served = await this.service.model(model);
      const c = this.service.config;
      this.session = await TextSession.create(served.lm.tokenizer, served.batcher.step, served.lm.stepper.zeroState(), {
        maxChars: c.maxChars,
        recentStates: c.recentStates,
        checkpointStride: c.checkpointStride,
      });
      this.served = served;
      this.k = k;
      this.edits.length = 0;
      await this.startWriterSession(served, writer);
      this.session.adaptation = this.adaptation;
      this.send({
        type: 'ready',
        model: served.lm.name,
        tokens: served.lm.tokenizer.kind,
        vocabSize: served.lm.tokenizer.size,
        k,
        limits: textLimits(this.service),
        ...(this.adaptation ? { writer: { ...(writer !== undefined ? { id: writer } : {}), learnedTokens: this.adaptation.writer.size, maxTokens: this.adaptation.maxTokens } } : {}),
      });
    } catch (err) {
      if (err instanceof UnknownModelError || err instanceof ModelNotFoundError) this.error('unknown-model', err.message);
      else this.fail(err);
    }
  }

  /** Word models adapt to the writer: their stored history (with a writer id) or this session only. */
  private async startWriterSession(served: ServedModel, writer: string | undefined): Promise<void> {
    this.adaptation = undefined;
    this.writerId = undefined;
    if (served.lm.tokenizer.kind !== 'word' || !this.service.adaptSuggestions) return;
    const store = this.service.writers;
    const history = writer !== undefined ? await store.history(writer) : [];
    const adaptation = new SessionAdaptation(served.lm.tokenizer, history, store.options.maxTokens, undefined, served.lm.stepper.featureSize);
    this.adaptation = adaptation;
    if (writer === undefined) return;
    this.writerId = writer;
    let saved = false;
    const save = async () => {
      if (saved) return;
      saved = true;
      unregister();
      await store.append(writer, adaptation.sessionTokens);
    };
    const unregister = this.service.pendingSave(save);
    this.saveWriter = save;
  }

  /** Appends what this session taught to the writer's history (once). */
  private async endWriterSession(): Promise<void> {
    const save = this.saveWriter;
    this.saveWriter = undefined;
    await save?.();
  }

  /** Forgets the writer's stored history and this session's text so far. */
  private async forget(): Promise<void> {
    await this.starting?.catch(() => undefined);
    if (!this.adaptation || !this.session) return this.error('not-started', 'send a start message (on a word model) before forget');
    this.adaptation.forget(this.session.committedTokens.length);
    if (this.writerId !== undefined) await this.service.writers.forget(this.writerId);
    this.send({ type: 'forgotten', ...(this.writerId !== undefined ? { writer: this.writerId } : {}) });
  }

  /** Applies every queued edit, then answers once for the latest: a busy model coalesces keystrokes. */
  private async processEdits(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    let seq: number | undefined;
    try {
      await this.starting?.catch(() => undefined);
      while (this.edits.length > 0 && !this.closed) {
        const batch = this.edits.splice(0);
        const session = this.session;
        if (!session) {
          for (const e of batch) this.error('not-started', 'send a start message before edits', { seq: e.msg.seq });
          continue;
        }
        let last: QueuedEdit | undefined;
        for (const e of batch) {
          seq = e.msg.seq;
          try {
            await session.edit(e.msg);
            last = e;
          } catch (err) {
            if (err instanceof ContextTooLongError) this.error('context-too-long', err.message, { seq: e.msg.seq });
            else throw err;
          }
        }
        if (!last || this.edits.length > 0) continue; // newer edits came in: answer those instead
        const s = await session.suggest(this.k);
        this.send({
          type: 'suggestions',
          seq: last.msg.seq,
          prefix: s.prefix,
          completions: s.completions,
          next: s.next,
          contextTokens: s.contextTokens,
          latencyMs: performance.now() - last.receivedAt,
          ...(last.msg.sentAt !== undefined ? { sentAt: last.msg.sentAt } : {}),
        });
      }
    } catch (err) {
      if (err instanceof OverloadedError) {
        // The session may be half way through the edit: resynchronise it on the next edit.
        this.error('overloaded', 'the language model is overloaded; edit dropped, send the text again (reset)', { seq });
        this.session = undefined;
        this.edits.length = 0;
        void this.recover();
      } else {
        this.fail(err, { seq });
      }
    } finally {
      this.processing = false;
    }
  }

  /** After an overload the session restarts empty; the client resends its text with reset. */
  private async recover(): Promise<void> {
    if (!this.served || this.closed) return;
    try {
      const c = this.service.config;
      this.session = await TextSession.create(this.served.lm.tokenizer, this.served.batcher.step, this.served.lm.stepper.zeroState(), {
        maxChars: c.maxChars,
        recentStates: c.recentStates,
        checkpointStride: c.checkpointStride,
      });
      this.session.adaptation = this.adaptation;
    } catch {
      /* still overloaded: edits answer not-started until the client starts again */
    }
  }

  private async generate(msg: GenerateMessage): Promise<void> {
    await this.starting?.catch(() => undefined);
    const cap = this.service.config.maxGenerateTokens;
    const maxTokens = msg.maxTokens ?? Math.min(100, cap);
    if (maxTokens > cap) return this.error('too-many-tokens', `maxTokens ${maxTokens} is above the cap of ${cap}`, { id: msg.id });
    const prompt = msg.prompt ?? '';
    if (prompt.length > this.service.config.maxChars) return this.error('context-too-long', `the prompt is longer than ${this.service.config.maxChars} characters`, { id: msg.id });
    if (this.generations.has(msg.id)) return this.error('busy', `generation '${msg.id}' is running already`, { id: msg.id });
    if (this.generations.size >= this.service.config.maxGenerationsPerConnection) {
      return this.error('busy', `at most ${this.service.config.maxGenerationsPerConnection} generations run at once per connection`, { id: msg.id });
    }
    const flag = { stopped: false };
    this.generations.set(msg.id, flag);
    const started = performance.now();
    let text = '';
    let n = 0;
    let reason: 'length' | 'stopped' | 'error' = 'length';
    try {
      const served = this.served ?? (await this.service.model());
      const tokens = generateTokens(
        served.batcher.step,
        served.lm.tokenizer,
        served.lm.stepper.zeroState(),
        prompt,
        { temperature: msg.temperature ?? 0.8, topK: msg.topK ?? 0, maxTokens, seed: msg.seed ?? Math.floor(Math.random() * 2 ** 32) },
        () => flag.stopped || this.closed,
      );
      for await (const t of tokens) {
        text += t.text;
        this.send({ type: 'token', id: msg.id, index: n++, text: t.text });
        await this.drained();
        await this.paced(flag);
      }
      if (flag.stopped) reason = 'stopped';
    } catch (err) {
      reason = 'error';
      if (err instanceof OverloadedError) this.error('overloaded', 'the language model is overloaded; generation ended early', { id: msg.id });
      else if (err instanceof UnknownModelError || err instanceof ModelNotFoundError) this.error('unknown-model', err.message, { id: msg.id });
      else this.fail(err, { id: msg.id });
    } finally {
      this.generations.delete(msg.id);
    }
    this.send({ type: 'done', id: msg.id, tokens: n, reason, text, ms: performance.now() - started });
  }

  /** Waits for the server's generation budget before the next token (or until the generation ends). */
  private paced(flag: { stopped: boolean }): Promise<void> {
    return nextGenerationToken(this.service, () => this.closed || flag.stopped);
  }

  /** Waits while the client is slow to read, so a generation never piles up unsent frames. */
  private async drained(): Promise<void> {
    while (!this.closed && this.ws.bufferedAmount > this.service.config.maxBufferedBytes) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.error('idle-timeout', `no message for ${this.service.config.idleTimeoutMs} ms; session closed`);
      this.ws.close(CloseCode.textIdle, 'idle timeout');
      this.onClose();
    }, this.service.config.idleTimeoutMs);
    this.idleTimer.unref?.();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    for (const g of this.generations.values()) g.stopped = true;
    this.session = undefined;
    this.edits.length = 0;
    this.endWriterSession().catch(() => undefined); // a failed save loses this session's lesson, nothing else
    if (this.holdsSlot) this.service.closeSession();
    this.holdsSlot = false;
  }

  private fail(err: unknown, extra: { seq?: number; id?: string } = {}): void {
    this.error('internal', err instanceof Error ? err.message : String(err), extra);
  }

  private error(code: TextErrorCode, message: string, extra: { seq?: number; id?: string } = {}): void {
    this.onError(code);
    if (this.errorReplies.take()) this.send({ type: 'error', code, message, ...extra });
  }

  /** Sends unless the client is too far behind reading (then the message is dropped). */
  private send(msg: TextServerMessage): void {
    this.outbox.send(encodeFrame(msg, this.encoding));
  }
}
