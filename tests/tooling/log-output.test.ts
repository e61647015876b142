// Server logs: readable lines in a terminal, JSON lines otherwise (--log-format forces either),
// tokens redacted either way, and no per-request line at info for the routes pages and
// monitors poll. Real servers on loopback; their log streams are captured.
import { afterEach, describe, expect, it } from 'vitest';
import { parseServerConfig } from '../../server/config.js';
import { resolveLogFormat, serverLoggerOptions } from '../../server/log-output.js';
import { startTestServer, type TestServer } from '../server/helpers.js';

/** A stdout stand-in that keeps what is written; isTTY as a terminal's would be. */
class CapturedOutput {
  text = '';
  constructor(readonly isTTY: boolean) {}
  write(chunk: string | Uint8Array): boolean {
    this.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }
  // pino-pretty's destination must look like a stream.
  on(): this {
    return this;
  }
  once(): this {
    return this;
  }
  emit(): boolean {
    return false;
  }
  end(): void {}
  get lines(): string[] {
    return this.text.split('\n').filter((l) => l.trim() !== '');
  }
}

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serverLoggingTo(out: CapturedOutput, level: 'info' | 'debug', format: 'auto' | 'pretty' | 'json', overrides = {}): Promise<TestServer> {
  const srv = await startTestServer(overrides, { logger: serverLoggerOptions(level, format, out) });
  servers.push(srv);
  return srv;
}

const settle = () => new Promise((r) => setTimeout(r, 100));

describe('log format', () => {
  it('auto is pretty on a terminal and JSON elsewhere; pretty and json are forced', () => {
    expect(resolveLogFormat('auto', { isTTY: true })).toBe('pretty');
    expect(resolveLogFormat('auto', { isTTY: false })).toBe('json');
    expect(resolveLogFormat('auto', {})).toBe('json');
    expect(resolveLogFormat('json', { isTTY: true })).toBe('json');
    expect(resolveLogFormat('pretty', { isTTY: false })).toBe('pretty');
  });

  it('is an option of the table: --log-format and SENSORIUM_LOG_FORMAT, default auto, bad values refused', () => {
    expect(parseServerConfig([], {}).logFormat).toBe('auto');
    expect(parseServerConfig(['--log-format', 'json'], {}).logFormat).toBe('json');
    expect(parseServerConfig([], { SENSORIUM_LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(() => parseServerConfig(['--log-format', 'xml'], {})).toThrow(/log-format/);
  });

  it('a server on a terminal writes readable lines, tokens redacted', async () => {
    const out = new CapturedOutput(true);
    const srv = await serverLoggingTo(out, 'info', 'auto', { authTokens: ['s3cret-token-xyz'] });
    await fetch(`${srv.url}/api/models?token=s3cret-token-xyz`);
    await settle();
    const requestLine = out.lines.find((l) => l.includes('request completed'));
    expect(requestLine, out.text).toBeDefined();
    expect(requestLine).toMatch(/^\S*\[\d\d:\d\d:\d\d\.\d{3}\]\S* \S*INFO\S*/); // [12:34:56.789] INFO (colours around)
    expect(out.lines.some((l) => l.trim().startsWith('{'))).toBe(false);
    expect(out.text).toContain('/api/models?token=[REDACTED]');
    expect(out.text).not.toContain('s3cret-token-xyz');
  });

  it('a server writing to a pipe writes JSON lines; --log-format json on a terminal too', async () => {
    for (const [out, format] of [
      [new CapturedOutput(false), 'auto'],
      [new CapturedOutput(true), 'json'],
    ] as const) {
      const srv = await serverLoggingTo(out, 'info', format);
      await fetch(`${srv.url}/api/models`);
      await settle();
      const entries = out.lines.map((l) => JSON.parse(l) as { msg: string; level: number });
      expect(entries.find((e) => e.msg === 'request completed')).toMatchObject({ level: 30 });
    }
  });
});

describe('polling routes', () => {
  const polled = ['/api/health', '/metrics', '/api/recordings'];
  const requestUrls = (out: CapturedOutput) =>
    out.lines
      .map((l) => JSON.parse(l) as { req?: { url: string }; msg: string })
      .filter((e) => e.msg === 'incoming request')
      .map((e) => e.req?.url);

  it('log no request line at info; other routes do', async () => {
    const out = new CapturedOutput(false);
    const srv = await serverLoggingTo(out, 'info', 'json');
    for (const path of [...polled, '/api/models']) expect((await fetch(`${srv.url}${path}`)).status).toBe(200);
    await settle();
    expect(requestUrls(out)).toEqual(['/api/models']);
  });

  it('log their requests at debug', async () => {
    const out = new CapturedOutput(false);
    const srv = await serverLoggingTo(out, 'debug', 'json');
    for (const path of polled) await fetch(`${srv.url}${path}`);
    await settle();
    expect(requestUrls(out)).toEqual(polled);
  });
});
