// The options table (server/config/options.ts) is the one definition of every setting: each
// option parses from its variable and its flag, bad values name both, --help and the README show
// every entry, and no other server file names an environment variable.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv, DEFAULT_CONFIG, ENV_VARS, parseServerConfig } from '../../server/config.js';
import { defaultText, flagText, optionsHelp } from '../../server/config/help.js';
import { CONFIG_OPTIONS, type ConfigOption } from '../../server/config/options.js';
import { readmeTable, withReadmeTable } from '../../server/config/readme-table.js';
import { defaultNodeId } from '../../server/config/value-types.js';
import { DEFAULT_TEXT_CONFIG, TextConfigError, textConfigFromEnv } from '../../server/text/text-config.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sensorium-config-'));
const TOKENS_FILE = join(dir, 'tokens.txt');
writeFileSync(TOKENS_FILE, '# team\nviewer:abcdefgh1234\nadmin:ijklmnop5678\n');

const get = (target: unknown, path: string): unknown => path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], target);
const name = (o: ConfigOption) => o.flag ?? o.env!;

/** Values of the kinds whose label does not say what to write. */
const SAMPLES: Record<string, string> = {
  '<address>': '0.0.0.0',
  '<file>': TOKENS_FILE,
  '<dir>': 'some/folder',
  '<name>': 'gateway-7',
  '<a,b>': 'english-word,tiny-char',
  '<name,name>': 'sensorium.lan,Lab.Example',
  '<ip,ip>': '10.0.0.1,::1',
  '<scope:token,...>': 'device:abcdefgh1234,plaintoken99',
  '<none|ema:ALPHA|mean:K>': 'mean:3',
  '<memory|nats://host:port,...>': 'nats://10.0.0.5:4222,nats://nats-b:4222',
};

/** A valid raw value unlike the default. */
function sample(o: ConfigOption): string {
  if (o.type.boolean) return o.default === true ? 'false' : 'true';
  const range = /^<(-?[\d.]+)\.\.(-?[\d.]+)>$/.exec(o.type.label);
  if (range) {
    const [min, max] = [Number(range[1]), Number(range[2])];
    const d = typeof o.default === 'number' ? o.default : min - 1;
    return String(d + 1 <= max && d + 1 >= min ? d + 1 : min);
  }
  const choices = /^<([a-z-]+(\|[a-z-]+)+)>$/.exec(o.type.label);
  if (choices) return choices[1]!.split('|').find((c) => c !== o.default)!;
  const s = SAMPLES[o.type.label];
  if (s === undefined) throw new Error(`no sample for ${o.type.label} (${name(o)})`);
  return s;
}

/** Other settings an option needs to be valid on its own. */
function companions(o: ConfigOption): { env: Record<string, string>; argv: string[] } {
  if (o.path === 'cluster.role') return { env: { SENSORIUM_BUS: 'nats://127.0.0.1:4222' }, argv: ['--bus', 'nats://127.0.0.1:4222'] };
  if (o.path === 'tls.certFile') return { env: { SENSORIUM_TLS_KEY: 'key.pem' }, argv: ['--tls-key', 'key.pem'] };
  if (o.path === 'tls.keyFile') return { env: { SENSORIUM_TLS_CERT: 'cert.pem' }, argv: ['--tls-cert', 'cert.pem'] };
  return { env: {}, argv: [] };
}

/** Where TLS options land: the three settings become one TlsConfig. */
function landed(config: unknown, o: ConfigOption): unknown {
  const tls = (config as { tls?: Record<string, unknown> }).tls;
  if (o.path === 'tls.certFile') return tls?.certFile;
  if (o.path === 'tls.keyFile') return tls?.keyFile;
  if (o.path === 'tls.selfSigned') return tls?.selfSigned;
  return get(config, o.path);
}

function expected(o: ConfigOption, raw: string): unknown {
  const value = o.type.parse(raw, 'test');
  return o.appends ? [...((get(DEFAULT_CONFIG, o.path) as unknown[]) ?? []), ...(value as unknown[])] : value;
}

/** A value the option's type refuses, for the kinds that refuse anything. */
function badValue(o: ConfigOption): string | undefined {
  if (o.type.boolean) return 'maybe';
  if (/^<-?[\d.]+\.\./.test(o.type.label) || o.type.label.includes('|')) return o.type.label.includes('nats') ? 'http://nats.example' : o.type.label.includes('ema') ? 'ema:2' : 'lots';
  return {
    '<file>': o.path === 'authTokens' ? join(dir, 'missing.txt') : undefined,
    '<name>': o.path === 'cluster.nodeId' ? 'a.b' : undefined,
    '<name,name>': 'http://x.example/',
    '<ip,ip>': 'proxy.local',
    '<scope:token,...>': 'short',
  }[o.type.label];
}

describe('the options table', () => {
  it('has one entry per flag and per variable, each with a doc, and defaults its own type accepts', () => {
    const flags = CONFIG_OPTIONS.flatMap((o) => (o.flag ? [o.flag] : []));
    expect(new Set(flags).size).toBe(flags.length);
    expect(new Set(ENV_VARS).size).toBe(ENV_VARS.length);
    for (const o of CONFIG_OPTIONS) {
      expect(o.flag ?? o.env, o.path).toBeDefined();
      expect(o.doc.length, o.path).toBeGreaterThan(10);
      if (o.default === undefined || o.appends || (Array.isArray(o.default) && o.default.length === 0)) continue;
      const raw = typeof o.default === 'number' ? String(o.default) : o.type.format(o.default);
      expect(o.type.parse(raw, 'default'), name(o)).toEqual(o.default);
    }
  });

  it('each option is read from its variable and from its flag, and lands where the table says', () => {
    for (const o of CONFIG_OPTIONS) {
      const raw = sample(o);
      const want = expected(o, raw);
      expect(want, `${name(o)}: the sample must differ from the default`).not.toEqual(get(DEFAULT_CONFIG, o.path));
      const extra = companions(o);
      if (o.env) expect(landed(configFromEnv({ ...extra.env, [o.env]: raw }), o), o.env).toEqual(want);
      if (o.flag) {
        const argv = o.type.boolean ? [raw === 'true' ? `--${o.flag}` : `--no-${o.flag}`] : [`--${o.flag}`, raw];
        expect(landed(parseServerConfig([...extra.argv, ...argv]), o), `--${o.flag}`).toEqual(want);
        if (!o.type.boolean) expect(landed(parseServerConfig([...extra.argv, `--${o.flag}=${raw}`]), o), `--${o.flag}=`).toEqual(want);
      }
    }
  });

  it('a bad value is refused with a message naming the variable and the flag', () => {
    let checked = 0;
    for (const o of CONFIG_OPTIONS) {
      const bad = badValue(o);
      if (bad === undefined) continue;
      const both = [o.env, o.flag && `--${o.flag}`].filter((s): s is string => Boolean(s));
      const attempts: (() => unknown)[] = [];
      if (o.env) attempts.push(() => configFromEnv({ [o.env!]: bad }));
      if (o.flag) attempts.push(() => parseServerConfig(o.type.boolean ? [`--${o.flag}=${bad}`] : [`--${o.flag}`, bad]));
      for (const attempt of attempts) {
        let error: unknown;
        try {
          attempt();
        } catch (err) {
          error = err;
        }
        expect(error, `${name(o)} = '${bad}'`).toBeInstanceOf(ConfigError);
        for (const spelling of both) expect((error as Error).message, `${name(o)} = '${bad}'`).toContain(spelling);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(150); // every number, choice, flag, list of addresses, tokens...
  });

  it('keeps every variable and flag the server had, with its default', () => {
    const before = [
      'PORT',
      'HOST',
      'SENSORIUM_BACKEND',
      'SENSORIUM_HAR_MODEL',
      'SENSORIUM_HAR_MODE',
      'SENSORIUM_TOKENS',
      'SENSORIUM_TOKEN',
      'SENSORIUM_ALLOWED_ORIGINS',
      'SENSORIUM_ALLOWED_HOSTS',
      'SENSORIUM_MAX_CONNECTIONS',
      'SENSORIUM_MAX_CONNECTIONS_PER_IP',
      'SENSORIUM_TRUSTED_PROXIES',
      'SENSORIUM_RECONNECT_GRACE_MS',
      'SENSORIUM_RECORD',
      'SENSORIUM_RECORDINGS_DIR',
      'SENSORIUM_PERSONAL_DIR',
      'LOG_LEVEL',
      'SENSORIUM_MAX_DEVICES',
      'SENSORIUM_MAX_BATCH',
      'SENSORIUM_MAX_DELAY_MS',
      'SENSORIUM_MAX_QUEUE',
      'SENSORIUM_INFERENCE_WORKER',
      'SENSORIUM_REORDER_WAIT_MS',
      'SENSORIUM_MAX_GAP_MS',
      'SENSORIUM_SMOOTHING',
      'SENSORIUM_MAX_BUFFERED_BYTES',
      'SENSORIUM_MAX_FRAME_BYTES',
      'SENSORIUM_MAX_SAMPLES_PER_FRAME',
      'SENSORIUM_MAX_BYTES_PER_SEC',
      'SENSORIUM_HEADERS_TIMEOUT_MS',
      'SENSORIUM_REQUEST_TIMEOUT_MS',
      'SENSORIUM_CONNECTION_TIMEOUT_MS',
      'SENSORIUM_SHUTDOWN_TIMEOUT_MS',
      'SENSORIUM_TEXT_MODEL',
      'SENSORIUM_TEXT_MODELS',
      'SENSORIUM_TEXT_MAX_SESSIONS',
      'SENSORIUM_TEXT_IDLE_MS',
      'SENSORIUM_TEXT_MAX_GENERATE',
      'SENSORIUM_TEXT_MAX_FRAMES_PER_SEC',
      'SENSORIUM_TEXT_MAX_BATCH',
      'SENSORIUM_TEXT_MAX_DELAY_MS',
      'SENSORIUM_TEXT_WRITERS_DIR',
    ];
    for (const env of before) expect(ENV_VARS, env).toContain(env);
    const flags = ['port', 'host', 'backend', 'demo', 'demo-phones', 'model', 'model-dir', 'allowed-hosts', 'tokens-file', 'record', 'recordings-dir', 'tls-cert', 'tls-key', 'tls-self-signed'];
    for (const flag of flags)
      expect(
        CONFIG_OPTIONS.some((o) => o.flag === flag),
        flag,
      ).toBe(true);
    expect(DEFAULT_CONFIG).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      backend: 'auto',
      demo: true,
      demoPhones: 3,
      harModel: 'auto',
      inferenceWorker: 'auto',
      authTokens: [],
      allowedOrigins: [],
      allowedHosts: [],
      trustedProxies: [],
      maxConnections: 4096,
      maxConnectionsPerIp: 64,
      exemptLoopbackFromIpLimit: true,
      reconnectGraceMs: 10_000,
      slowConsumerMs: 30_000,
      shutdownDrainMs: 5000,
      shutdownTimeoutMs: 10_000,
      maxDevices: 200,
      maxDashboards: 50,
      helloTimeoutMs: 10_000,
      heartbeatMs: 30_000,
      maxBufferedBytes: 1 << 20,
      http: { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, connectionTimeoutMs: 60_000, keepAliveTimeoutMs: 5000 },
      recording: { all: false, dir: 'recordings', flushMs: 1000, maxBufferBytes: 16 << 20 },
      preAuth: { maxDashboards: 50, timeoutMs: 5000, maxFrames: 4, maxFrameBytes: 4096 },
      limits: { maxFrameBytes: 1 << 20, maxSamplesPerFrame: 2000, minRateHz: 10, maxRateHz: 200, maxAbsG: 16 },
      batching: { maxBatch: 32, maxDelayMs: 5, maxQueue: 256 },
      pipeline: { reorderWaitMs: 200, reorderMaxFrames: 64, maxGapMs: 500, smoothing: { kind: 'ema', alpha: 0.5 }, truthMinAgreement: 0.9 },
      dashboard: { signalHz: 25, signalIntervalMs: 100, statsIntervalMs: 1000 },
      rateLimit: { samplesPerSec: 400, burstSamples: 8000, errorsPerSec: 20 },
      sensorLogger: { maxBodyBytes: 1 << 20, maxEntries: 10_000, idleMs: 15_000 },
      personal: { dir: 'data/personal', maxWindowsPerLabel: 92, maxConcurrentFits: 1, maxQueuedFits: 16 },
    });
    for (const o of CONFIG_OPTIONS) if (o.default !== undefined && !o.path.startsWith('tls.')) expect(get(DEFAULT_CONFIG, o.path), o.path).toEqual(o.default);
    expect(DEFAULT_CONFIG.tls).toBeUndefined();
    expect(DEFAULT_CONFIG.harModelDir).toBeUndefined();
    expect(DEFAULT_CONFIG.rateLimit.framesPerSec).toBeUndefined(); // derived from samplesPerSec
    expect(DEFAULT_TEXT_CONFIG).toBe(DEFAULT_CONFIG.text);
    expect(DEFAULT_TEXT_CONFIG).toEqual({
      defaultModel: 'english-word',
      allowedModels: ['english-word', 'shakespeare-char'],
      maxSessions: 1000,
      idleTimeoutMs: 300_000,
      maxChars: 20_000,
      recentStates: 64,
      checkpointStride: 32,
      maxGenerateTokens: 500,
      maxGenerationsPerConnection: 2,
      generationTokensPerSec: 200,
      maxFrameBytes: 64 * 1024,
      maxBufferedBytes: 1 << 20,
      slowConsumerMs: 30_000,
      framesPerSec: 100,
      errorsPerSec: 20,
      writersDir: 'data/writers',
      batching: { maxBatch: 256, maxDelayMs: 1, maxQueue: 8192 },
    });
  });

  it('--help shows every option with its variable, its default and its doc', () => {
    const help = optionsHelp({ usage: 'npm start -- [options]', summary: 'test' });
    for (const o of CONFIG_OPTIONS) {
      const line = help.split('\n').findIndex((l) => l.startsWith(`  ${flagText(o) ?? `${o.env}=`}`));
      expect(line, name(o)).toBeGreaterThan(0);
      const [head, doc] = help.split('\n').slice(line, line + 2);
      if (o.env && o.flag) expect(head, name(o)).toContain(`env ${o.env}`);
      expect(head, name(o)).toContain(`default ${defaultText(o)}`);
      expect(doc!.trim(), name(o)).toBe(o.doc);
    }
  });

  it('npm start -- --help prints the table and exits 0 without starting a server', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'server/main.ts', '--help'], { cwd: ROOT, timeout: 60_000 });
    for (const o of CONFIG_OPTIONS) {
      if (o.flag) expect(stdout, o.flag).toContain(flagText(o));
      if (o.env) expect(stdout, o.env).toContain(o.env);
    }
    expect(stdout).toContain('/ws/device'); // the endpoints after the options
  }, 60_000);

  it("server/README.md's options table is the generated one (npm run docs:config)", () => {
    const readme = readFileSync(join(ROOT, 'server/README.md'), 'utf8');
    expect(readme).toContain(readmeTable());
    expect(withReadmeTable(readme)).toBe(readme);
    for (const o of CONFIG_OPTIONS) expect(readmeTable(), name(o)).toContain(`\`${o.path}\``);
  });

  it('every variable named in the Limits table of server/README.md is an option', () => {
    const readme = readFileSync(join(ROOT, 'server/README.md'), 'utf8');
    const limits = readme.slice(readme.indexOf('## Limits'), readme.indexOf('\n## ', readme.indexOf('## Limits') + 1));
    const named = [...limits.matchAll(/`(SENSORIUM_[A-Z0-9_]+)/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(30);
    for (const env of named) expect(ENV_VARS, env).toContain(env);
  });

  it('no file in server/ but the table names an environment variable or reads process.env by name', () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const entry of readdirSync(d)) {
        const p = join(d, entry);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) files.push(p);
      }
    };
    walk(join(ROOT, 'server'));
    expect(files.length).toBeGreaterThan(50);
    const table = join(ROOT, 'server/config/options.ts');
    const otherNames = ENV_VARS.filter((e) => !e.startsWith('SENSORIUM_'));
    const offences: string[] = [];
    for (const file of files) {
      if (file === table) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const named = /\bSENSORIUM_[A-Z0-9_]+/.test(line) || /process\.env(\.|\[)/.test(line) || otherNames.some((e) => new RegExp(`env\\.${e}\\b|['"\`]${e}['"\`]`).test(line));
          if (named) offences.push(`${file.slice(ROOT.length)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offences).toEqual([]);
  });
});

describe('reading the settings', () => {
  it('a flag wins over its variable; list flags that add (allowed hosts, tokens file) add to the variable', () => {
    expect(parseServerConfig(['--port', '9001'], { PORT: '9000' }).port).toBe(9001);
    expect(parseServerConfig([], { PORT: '9000' }).port).toBe(9000);
    const c = parseServerConfig(['--allowed-hosts', 'b.example', '--tokens-file', TOKENS_FILE], { SENSORIUM_ALLOWED_HOSTS: 'a.example', SENSORIUM_TOKEN: 'device:qrstuvwx9012' });
    expect(c.allowedHosts).toEqual(['a.example', 'b.example']);
    expect(c.authTokens).toEqual(['device:qrstuvwx9012', 'viewer:abcdefgh1234', 'admin:ijklmnop5678']);
    expect(parseServerConfig(['--demo'], { SENSORIUM_DEMO: '0' }).demo).toBe(true);
    expect(parseServerConfig(['--no-demo']).demo).toBe(false);
  });

  it('empty variables are unset, values are trimmed, and the defaults are never mutated', () => {
    expect(configFromEnv({ PORT: '  ', HOST: ' 0.0.0.0 ', SENSORIUM_MAX_BATCH: ' 8 ' })).toMatchObject({ port: 8080, host: '0.0.0.0', batching: { maxBatch: 8 } });
    const c = configFromEnv({ SENSORIUM_TEXT_MAX_BATCH: '3', SENSORIUM_ALLOWED_ORIGINS: 'https://a.example' });
    c.pipeline.maxGapMs = 1;
    expect(DEFAULT_CONFIG.text.batching.maxBatch).toBe(256);
    expect(DEFAULT_CONFIG.allowedOrigins).toEqual([]);
    expect(DEFAULT_CONFIG.pipeline.maxGapMs).toBe(500);
  });

  it('settings that must agree are checked, naming both options', () => {
    expect(() => configFromEnv({ SENSORIUM_HEADERS_TIMEOUT_MS: '40000' })).toThrow(
      /SENSORIUM_HEADERS_TIMEOUT_MS \/ --headers-timeout-ms \(40000\) must not exceed SENSORIUM_REQUEST_TIMEOUT_MS \/ --request-timeout-ms \(30000\)/,
    );
    expect(() => parseServerConfig(['--min-rate-hz', '50', '--max-rate-hz', '40'])).toThrow(/--min-rate-hz \(50\) must not exceed .*--max-rate-hz \(40\)/);
    expect(() => parseServerConfig(['--tls-cert', 'c.pem'])).toThrow(/--tls-cert and .*--tls-key go together/);
    expect(() => parseServerConfig(['--tls-self-signed', '--tls-cert', 'c.pem', '--tls-key', 'k.pem'])).toThrow(/makes its own certificate/);
    expect(parseServerConfig(['--tls-cert', 'c.pem', '--tls-key', 'k.pem']).tls).toEqual({ certFile: 'c.pem', keyFile: 'k.pem' });
    expect(parseServerConfig(['--tls-self-signed']).tls).toEqual({ selfSigned: true });
    expect(() => parseServerConfig(['--unknown-flag'])).toThrow(ConfigError);
  });

  it('text settings are part of the server settings; textConfigFromEnv reads only them', () => {
    const c = parseServerConfig(['--text-max-sessions', '12', '--text-generation-tokens-per-sec', '50', '--text-model', 'tiny-char']);
    expect(c.text).toMatchObject({ maxSessions: 12, generationTokensPerSec: 50, defaultModel: 'tiny-char' });
    expect(c.text.allowedModels).toEqual(['english-word', 'shakespeare-char', 'tiny-char']); // the default model is always allowed
    expect(textConfigFromEnv({ PORT: 'not read here', SENSORIUM_TEXT_MAX_FRAME_BYTES: '2048' }).maxFrameBytes).toBe(2048);
    expect(() => textConfigFromEnv({ SENSORIUM_TEXT_MAX_GENERATIONS: '0' })).toThrow(TextConfigError);
    expect(() => textConfigFromEnv({ SENSORIUM_TEXT_MAX_GENERATIONS: '0' })).toThrow(ConfigError);
  });

  it('cluster: in-process by default; NATS URLs, roles and node ids are checked', () => {
    expect(DEFAULT_CONFIG.cluster).toEqual({ bus: { kind: 'memory' }, role: 'all', nodeId: expect.stringMatching(/^[A-Za-z0-9_-]+-\d+$/), requestTimeoutMs: 1000 });
    expect(DEFAULT_CONFIG.cluster.nodeId.endsWith(`-${process.pid}`)).toBe(true);
    expect(defaultNodeId('gw.example.com', 42)).toBe('gw-example-com-42');
    const c = parseServerConfig(['--bus', 'nats://a:4222, nats://b:4223', '--role', 'inference', '--node-id', 'inf-2', '--bus-request-timeout-ms', '250']);
    expect(c.cluster).toEqual({ bus: { kind: 'nats', servers: ['nats://a:4222', 'nats://b:4223'] }, role: 'inference', nodeId: 'inf-2', requestTimeoutMs: 250 });
    expect(parseServerConfig(['--bus', 'memory']).cluster.bus).toEqual({ kind: 'memory' });
    expect(() => parseServerConfig(['--bus', 'nats://a:4222,memory'])).toThrow(/--bus must be memory or a comma list of nats:\/\/host:port URLs \(got 'memory'\)/);
    expect(() => parseServerConfig(['--bus', 'nats://a:4222/path'])).toThrow(/SENSORIUM_BUS/);
    expect(() => configFromEnv({ SENSORIUM_ROLE: 'gateway' })).toThrow(/--role gateway needs a NATS bus/);
    expect(() => parseServerConfig(['--node-id', 'has space'])).toThrow(/--node-id must be 1-64 letters, digits, - or _/);
    expect(() => parseServerConfig(['--bus-request-timeout-ms', '5'])).toThrow(/between 10 and 60000/);
  });
});
