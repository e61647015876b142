// Settings from the options table: defaults, then environment variables, then flags (a flag wins
// over its variable). A bad value throws ConfigError naming the variable or flag it came from and
// the other spelling of the same option; settings that must agree are checked last.
import { CliError, HelpRequested, parseOptions, type CommandSpec, type OptionSpec } from '../../cli/args.js';
import type { TextServiceConfig } from '../text/text-config.js';
import { ConfigError } from './errors.js';
import { CONFIG_OPTIONS, optionAt, type ConfigOption, type Settings } from './options.js';
import type { ServerConfig, TlsConfig } from './schema.js';

/** `PORT / --port`: both ways to set an option. */
export function spellings(o: ConfigOption): string {
  return [o.env, o.flag && `--${o.flag}`].filter(Boolean).join(' / ');
}

/** The defaults of every option, as a ServerConfig. */
function defaultConfig(): ServerConfig {
  const settings = {} as Settings;
  for (const o of CONFIG_OPTIONS) {
    if (o.default !== undefined) setPath(settings, o.path, structuredClone(o.default));
  }
  return finish(settings);
}

export const DEFAULT_CONFIG: ServerConfig = defaultConfig();

/**
 * `npm start` settings: `base` (the defaults) overridden by `env`, then by `argv` (`--port 9000`,
 * `--no-demo`, `--bus=nats://a:4222`). `--help` throws HelpRequested with `help()`'s text.
 */
export function parseServerConfig(argv: readonly string[], env: NodeJS.ProcessEnv = {}, help: () => string = () => '', base: ServerConfig = DEFAULT_CONFIG): ServerConfig {
  const flags = readFlags(argv, help);
  const settings = toSettings(base);
  fill(settings, CONFIG_OPTIONS, env, flags);
  return finish(settings);
}

/** Defaults overridden by environment variables only (tests, tools that take no flags). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env, base: ServerConfig = DEFAULT_CONFIG): ServerConfig {
  return parseServerConfig([], env, undefined, base);
}

/** Only the text service's settings from environment variables, over `base`. */
export function textSettingsFromEnv(env: NodeJS.ProcessEnv, base: TextServiceConfig): TextServiceConfig {
  const settings = { text: structuredClone(base) } as Settings;
  fill(
    settings,
    CONFIG_OPTIONS.filter((o) => o.path.startsWith('text.')),
    env,
    new Map(),
  );
  return finishText(settings.text);
}

/** Raw flag values by flag name (strings; booleans as 'true' / 'false'), via the shared CLI parser. */
function readFlags(argv: readonly string[], help: () => string): Map<string, string> {
  const options: Record<string, OptionSpec> = {};
  for (const o of CONFIG_OPTIONS) {
    if (o.flag) options[o.flag] = { type: o.type.boolean ? 'boolean' : 'string', description: o.doc };
  }
  const spec: CommandSpec = { usage: 'npm start -- [options]', summary: '', options };
  let parsed;
  try {
    parsed = parseOptions(spec, argv);
  } catch (err) {
    if (err instanceof HelpRequested) throw new HelpRequested(help());
    if (!(err instanceof CliError)) throw err;
    // The shared parser's messages start with the flag (`--demo must be true or false`): add the variable.
    const o = CONFIG_OPTIONS.find((x) => x.flag && new RegExp(`^--(no-)?${x.flag} `).test(err.message));
    throw new ConfigError(o ? `${err.message} [option ${spellings(o)}]` : err.message);
  }
  const flags = new Map<string, string>();
  for (const [name, value] of Object.entries(parsed)) if (value !== undefined) flags.set(name, String(value).trim());
  return flags;
}

function fill(settings: Settings, options: readonly ConfigOption[], env: NodeJS.ProcessEnv, flags: ReadonlyMap<string, string>): void {
  for (const o of options) {
    const fromEnv = [o.env, ...(o.envAliases ?? [])].find((name) => name !== undefined && env[name]?.trim());
    if (fromEnv) apply(settings, o, env[fromEnv]!.trim(), fromEnv);
    const fromFlag = o.flag === undefined ? undefined : flags.get(o.flag);
    if (fromFlag) apply(settings, o, fromFlag, `--${o.flag}`);
  }
}

function apply(settings: Settings, o: ConfigOption, raw: string, source: string): void {
  let value: unknown;
  try {
    value = o.type.parse(raw, source);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`${err.message} [option ${spellings(o)}]`);
    throw err;
  }
  if (o.appends) {
    const current = getPath(settings, o.path);
    value = [...(Array.isArray(current) ? current : []), ...(value as unknown[])];
  }
  setPath(settings, o.path, value);
}

/** Settings that must agree, and the TLS settings turned into a TlsConfig. */
function finish(settings: Settings): ServerConfig {
  const { tls, ...rest } = settings;
  const config: ServerConfig = { ...rest, text: finishText(settings.text) };
  const tlsConfig = tlsFrom(tls);
  if (tlsConfig) config.tls = tlsConfig;
  mustNotExceed(config.http.headersTimeoutMs, config.http.requestTimeoutMs, 'http.headersTimeoutMs', 'http.requestTimeoutMs');
  mustNotExceed(config.limits.minRateHz, config.limits.maxRateHz, 'limits.minRateHz', 'limits.maxRateHz');
  if (config.cluster.role !== 'all' && config.cluster.bus.kind === 'memory') {
    throw new ConfigError(
      `${spellings(optionAt('cluster.role'))} ${config.cluster.role} needs a NATS bus (${spellings(optionAt('cluster.bus'))} nats://host:port): the in-process bus reaches only this process`,
    );
  }
  return config;
}

function mustNotExceed(low: number, high: number, lowPath: 'http.headersTimeoutMs' | 'limits.minRateHz', highPath: 'http.requestTimeoutMs' | 'limits.maxRateHz'): void {
  if (low > high) throw new ConfigError(`${spellings(optionAt(lowPath))} (${low}) must not exceed ${spellings(optionAt(highPath))} (${high})`);
}

/** The default model is always allowed. */
function finishText(text: TextServiceConfig): TextServiceConfig {
  if (!text.allowedModels.includes(text.defaultModel)) text.allowedModels = [...text.allowedModels, text.defaultModel];
  return text;
}

function tlsFrom(tls: Settings['tls']): TlsConfig | undefined {
  const cert = optionAt('tls.certFile');
  const key = optionAt('tls.keyFile');
  if (tls.selfSigned) {
    if (tls.certFile || tls.keyFile) throw new ConfigError(`${spellings(optionAt('tls.selfSigned'))} makes its own certificate: leave out ${spellings(cert)} and ${spellings(key)}`);
    return { selfSigned: true };
  }
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) throw new ConfigError(`${spellings(cert)} and ${spellings(key)} go together`);
  return tls.certFile && tls.keyFile ? { certFile: tls.certFile, keyFile: tls.keyFile } : undefined;
}

function toSettings(config: ServerConfig): Settings {
  const { tls, ...rest } = structuredClone(config);
  const staged: Settings['tls'] = !tls ? { selfSigned: false } : 'selfSigned' in tls ? { selfSigned: true } : { ...tls, selfSigned: false };
  return { ...rest, tls: staged };
}

function getPath(target: object, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], target);
}

function setPath(target: object, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[keys[keys.length - 1]!] = value;
}
