// Writers over a real server on loopback: a writer's words come back after a restart, stay
// theirs (another writer id does not see them), and `forget` removes them from memory and disk.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { initBackend } from '../../models/runtime/backend.js';
import { startTextServer, type StandaloneTextServer } from '../../server/text/standalone-text-server.js';
import { DEFAULT_TEXT_CONFIG } from '../../server/text/text-config.js';
import { WriterStore } from '../../server/text/writer-store.js';
import { parseTextClientMessage, type TextServerMessage } from '../../protocol/text-messages.js';
import type { LoadedLm } from '../../models/lm/lm-store.js';
import { tinyLm } from './tiny-lm.js';

let dir: string;
let lm: LoadedLm;
const ALICE = 'alice-0000-writer';
const BOB = 'bob-0000-writer';
const config = { ...DEFAULT_TEXT_CONFIG, defaultModel: 'tiny-word', allowedModels: ['tiny-word'], maxSessions: 10 };

async function server(): Promise<StandaloneTextServer> {
  return startTextServer({ ...config, writersDir: dir }, [lm]);
}

class Client {
  private readonly messages: TextServerMessage[] = [];
  private waiting: (() => void)[] = [];
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (d) => {
      this.messages.push(JSON.parse(d.toString()) as TextServerMessage);
      for (const w of this.waiting.splice(0)) w();
    });
  }
  static async open(url: string): Promise<Client> {
    const ws = new WebSocket(url.replace('http', 'ws') + '/ws/text');
    await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
    return new Client(ws);
  }
  send(m: object): void {
    this.ws.send(JSON.stringify(m));
  }
  async next<T extends TextServerMessage['type']>(type: T, pred: (m: Extract<TextServerMessage, { type: T }>) => boolean = () => true): Promise<Extract<TextServerMessage, { type: T }>> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const i = this.messages.findIndex((m) => m.type === type && pred(m as never));
      if (i >= 0) return this.messages.splice(i, 1)[0] as never;
      if (Date.now() > deadline) throw new Error(`no ${type}; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((r) => {
        this.waiting.push(r);
        setTimeout(r, 200);
      });
    }
  }
  /** Completions after sending `text` as the whole text before the cursor. */
  async completions(text: string, seq: number): Promise<{ word: string; source?: string }[]> {
    this.send({ type: 'edit', seq, reset: true, insert: text });
    return (await this.next('suggestions', (m) => m.seq === seq)).completions;
  }
  async close(): Promise<void> {
    const closed = new Promise((r) => this.ws.once('close', r));
    this.ws.close();
    await closed;
  }
}

const words = (list: { word: string }[]) => list.map((c) => c.word);

describe('writers on /ws/text', () => {
  beforeAll(async () => {
    await initBackend('wasm');
    lm = await tinyLm('word');
    dir = await mkdtemp(join(tmpdir(), 'sensorium-writers-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    lm.stepper.dispose();
    lm.model.dispose();
  });

  it("keeps a writer's words across a restart, for that writer only, until they ask to forget", async () => {
    let s = await server();
    const alice = await Client.open(s.url);
    alice.send({ type: 'start', writer: ALICE });
    expect((await alice.next('ready')).writer).toMatchObject({ id: ALICE, learnedTokens: 0 });
    // A name outside the tiny model's vocabulary, typed twice: suggested the third time, marked as the writer's.
    const third = await alice.completions('the whale saw zyxomir in the sea, and zyxomir saw the whale. then zy', 1);
    expect(words(third)).toContain('zyxomir');
    expect(third.find((c) => c.word === 'zyxomir')!.source).toBe('writer');
    await alice.close();
    await s.close();
    const file = join(dir, `${ALICE}.json`);
    expect(JSON.parse(await readFile(file, 'utf8')).tokens).toContain('zyxomir');

    // Restart: the same writer gets the name at once in a new text; another writer does not.
    s = await server();
    const again = await Client.open(s.url);
    again.send({ type: 'start', writer: ALICE });
    expect((await again.next('ready')).writer!.learnedTokens).toBeGreaterThan(10);
    expect(words(await again.completions('the sea was calm and zy', 1))).toContain('zyxomir');
    const bob = await Client.open(s.url);
    bob.send({ type: 'start', writer: BOB });
    expect((await bob.next('ready')).writer!.learnedTokens).toBe(0);
    expect(words(await bob.completions('the sea was calm and zy', 1))).not.toContain('zyxomir');
    const anonymous = await Client.open(s.url);
    anonymous.send({ type: 'start' });
    expect((await anonymous.next('ready')).writer).toEqual({ learnedTokens: 0, maxTokens: 20_000 });
    expect(words(await anonymous.completions('the sea was calm and zy', 1))).not.toContain('zyxomir');

    // Forget: gone from this session, from disk, and from the next session.
    again.send({ type: 'forget' });
    expect(await again.next('forgotten')).toEqual({ type: 'forgotten', writer: ALICE });
    expect(existsSync(file)).toBe(false);
    expect(words(await again.completions('the sea was calm and zy', 2))).not.toContain('zyxomir');
    await again.close();
    await bob.close();
    await anonymous.close();
    await s.close();
    s = await server();
    const later = await Client.open(s.url);
    later.send({ type: 'start', writer: ALICE });
    expect((await later.next('ready')).writer!.learnedTokens).toBe(0);
    await later.close();
    await s.close();
    // Nothing was stored for the anonymous session; Bob's file holds only Bob's text.
    const files = await readdir(dir);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    if (files.includes(`${BOB}.json`)) expect(JSON.parse(await readFile(join(dir, `${BOB}.json`), 'utf8')).tokens).not.toContain('zyxomir');
  });

  it('a server shutdown while the writer is still typing saves what they typed before the cursor', async () => {
    const writer = 'carol-0000-writer';
    let s = await server();
    const carol = await Client.open(s.url);
    carol.send({ type: 'start', writer });
    await carol.next('ready');
    // Typed, then the cursor moved back before "vexquard": only the text before the cursor is kept.
    await carol.completions('the whale saw morvane in the sea, and morvane saw vexquard. ', 1);
    await carol.completions('the whale saw morvane in the sea, and morvane saw ', 2);
    await s.close(); // the client is still connected
    const tokens = JSON.parse(await readFile(join(dir, `${writer}.json`), 'utf8')).tokens as string[];
    expect(tokens.filter((t) => t === 'morvane')).toHaveLength(2);
    expect(tokens).not.toContain('vexquard');
    s = await server();
    const again = await Client.open(s.url);
    again.send({ type: 'start', writer });
    await again.next('ready');
    expect(words(await again.completions('the sea and mo', 1))).toContain('morvane');
    await again.close();
    await s.close();
  });

  it('refuses writer ids that are not plain names, and forget before start', async () => {
    for (const writer of ['../etc/passwd', 'short', 'a'.repeat(65), 'has space 123', 42]) {
      expect(parseTextClientMessage({ type: 'start', writer }).ok).toBe(false);
    }
    expect(parseTextClientMessage({ type: 'forget' })).toEqual({ ok: true, value: { type: 'forget' } });
    const s = await server();
    const c = await Client.open(s.url);
    c.send({ type: 'forget' });
    expect((await c.next('error')).code).toBe('not-started');
    c.send({ type: 'start', writer: '../../x' });
    expect((await c.next('error')).code).toBe('invalid');
    await c.close();
    await s.close();
  });

  it('a writer history is bounded on disk, and an unreadable file is a fresh start', async () => {
    const store = new WriterStore({ dir, maxTokens: 100 });
    await store.append(
      'bounded-writer',
      Array.from({ length: 250 }, (_, i) => `w${i}`),
    );
    await store.append('bounded-writer', ['last', 'x'.repeat(200)]);
    const saved = JSON.parse(await readFile(join(dir, 'bounded-writer.json'), 'utf8')).tokens as string[];
    expect(saved).toHaveLength(100);
    expect(saved[saved.length - 1]).toBe('last');
    expect(saved[0]).toBe('w151');
    await writeFile(join(dir, 'broken-writer.json'), '{"version": 1, "tokens": nope');
    expect(await new WriterStore({ dir, maxTokens: 100 }).history('broken-writer')).toEqual([]);
    await expect(store.append('../escape', ['a'])).rejects.toThrow(/not a writer id/);
  });
});
