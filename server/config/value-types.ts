// The kinds of value an option takes: how one raw string (an environment variable or a flag's
// value) is read and checked, and how a default is written back for --help and the README.
// A bad value throws ConfigError naming where it came from (`name`: the variable or the flag).
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { isHostName } from '../security/host-allowlist.js';
import { parseTokenEntry, SCOPES } from '../security/auth.js';
import { ConfigError } from './errors.js';
import type { BusConfig, SmoothingConfig } from './schema.js';

export interface ValueType<T> {
  /** What to write, for --help and the README: `<0..65535>`, `<path>`, `<a,b>`. */
  label: string;
  /** Reads one raw value (already trimmed, never empty); `name` is the variable or flag it came from. */
  parse(raw: string, name: string): T;
  /** A value as a user would write it. */
  format(value: T): string;
  /** Flags without a value (`--x`, `--no-x`); their variables take 1, 0, true or false. */
  boolean?: true;
}

const plain = (value: unknown): string => String(value);

export function integer(min: number, max: number): ValueType<number> {
  return {
    label: `<${min}..${max}>`,
    parse(raw, name) {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be a whole number between ${min} and ${max} (got '${raw}')`);
      return n;
    },
    format: plain,
  };
}

/** A whole number of bytes; defaults that are whole KiB or MiB say so. */
export function bytes(min: number, max: number): ValueType<number> {
  return { ...integer(min, max), format: formatBytes };
}

function formatBytes(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n} (${n >> 20} MiB)`;
  if (n >= 1024 && n % 1024 === 0) return `${n} (${n >> 10} KiB)`;
  return String(n);
}

export function decimal(min: number, max: number): ValueType<number> {
  return {
    label: `<${min}..${max}>`,
    parse(raw, name) {
      const n = Number(raw);
      if (!Number.isFinite(n) || n < min || n > max) throw new ConfigError(`${name} must be a number between ${min} and ${max} (got '${raw}')`);
      return n;
    },
    format: plain,
  };
}

export const onOff: ValueType<boolean> = {
  label: '',
  boolean: true,
  parse(raw, name) {
    if (raw === '1' || raw === 'true') return true;
    if (raw === '0' || raw === 'false') return false;
    throw new ConfigError(`${name} must be 1, 0, true or false (got '${raw}')`);
  },
  format: plain,
};

export function text(label = 'text'): ValueType<string> {
  return { label: `<${label}>`, parse: (raw) => raw, format: plain };
}

export function oneOf<const T extends string>(choices: readonly T[]): ValueType<T> {
  return {
    label: `<${choices.join('|')}>`,
    parse(raw, name) {
      if (!(choices as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${choices.join(', ')} (got '${raw}')`);
      return raw as T;
    },
    format: plain,
  };
}

const formatList = (list: readonly string[]): string => (list.length === 0 ? 'none' : list.join(','));

export const list: ValueType<string[]> = { label: '<a,b>', parse: (raw) => parseList(raw), format: formatList };

export const hostNames: ValueType<string[]> = { label: '<name,name>', parse: (raw, name) => parseHostNames(raw, name), format: formatList };

export const ipAddresses: ValueType<string[]> = { label: '<ip,ip>', parse: (raw, name) => checkAddresses(parseList(raw), name), format: formatList };

/** Tokens are secrets: their defaults and values are never printed. */
export const tokens: ValueType<string[]> = { label: '<scope:token,...>', parse: (raw, name) => checkTokens(parseList(raw), name), format: formatList };

/** A file of tokens, one per line: the value read is the tokens. */
export const tokensFile: ValueType<string[]> = {
  label: '<file>',
  parse(file, name) {
    let content: string;
    try {
      content = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`${name} ${file}: ${(err as Error).message}`);
    }
    return parseTokensFile(content, file);
  },
  format: formatList,
};

export const smoothing: ValueType<SmoothingConfig> = {
  label: '<none|ema:ALPHA|mean:K>',
  parse: (raw, name) => parseSmoothing(raw, name),
  format: (s) => (s.kind === 'none' ? 'none' : s.kind === 'ema' ? `ema:${s.alpha}` : `mean:${s.k}`),
};

/** `memory` (in-process), or NATS servers as a comma list of nats://host:port URLs. */
export const bus: ValueType<BusConfig> = {
  label: '<memory|nats://host:port,...>',
  parse(raw, name) {
    if (raw === 'memory') return { kind: 'memory' };
    const servers = parseList(raw);
    for (const s of servers) {
      let url: URL | undefined;
      try {
        url = new URL(s);
      } catch {
        url = undefined;
      }
      if (!url || url.protocol !== 'nats:' || url.hostname === '' || (url.pathname !== '' && url.pathname !== '/')) {
        throw new ConfigError(`${name} must be memory or a comma list of nats://host:port URLs (got '${s.slice(0, 100)}')`);
      }
    }
    if (servers.length === 0) throw new ConfigError(`${name} must be memory or a comma list of nats://host:port URLs (got '${raw}')`);
    return { kind: 'nats', servers };
  },
  format: (b) => (b.kind === 'memory' ? 'memory' : b.servers.join(',')),
};

const NODE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A cluster member's name: it becomes a NATS subject token, so no dots, spaces or wildcards. */
export const nodeId: ValueType<string> = {
  label: '<name>',
  parse(raw, name) {
    if (!NODE_ID.test(raw)) throw new ConfigError(`${name} must be 1-64 letters, digits, - or _ (got '${raw.slice(0, 80)}')`);
    return raw;
  },
  format: plain,
};

/** `<hostname>-<pid>` with everything a node id may not hold turned into '-'. */
export function defaultNodeId(host: string, pid: number): string {
  return `${host.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 50) || 'node'}-${pid}`;
}

/** `none`, `ema:<alpha in (0,1]>` or `mean:<k >= 1>`. */
export function parseSmoothing(raw: string, what = 'smoothing'): SmoothingConfig {
  const [kind, arg] = raw.split(':');
  if (kind === 'none' && arg === undefined) return { kind: 'none' };
  const n = Number(arg);
  if (kind === 'ema' && n > 0 && n <= 1) return { kind: 'ema', alpha: n };
  if (kind === 'mean' && Number.isInteger(n) && n >= 1 && n <= 100) return { kind: 'mean', k: n };
  throw new ConfigError(`${what} must be none, ema:<alpha in (0,1]> or mean:<k in 1..100> (got '${raw}')`);
}

export function parseList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Proxy addresses: IPv4 or IPv6 literals (no ranges, no host names). */
export function checkAddresses(addresses: readonly string[], what: string): string[] {
  for (const a of addresses) {
    if (isIP(a) === 0) throw new ConfigError(`${what}: '${a.slice(0, 60)}' is not an IP address (list exact proxy addresses, comma-separated)`);
  }
  return [...addresses];
}

/** Allowed Host names from a comma list: DNS names or IP addresses (no scheme, port or path), lowercased; '*' for any. */
export function parseHostNames(raw: string | undefined, what: string): string[] {
  const hosts = parseList(raw);
  for (const h of hosts) {
    if (!isHostName(h)) throw new ConfigError(`${what}: '${h.slice(0, 60)}' is not a host name (list names like sensorium.lan or addresses, comma-separated, no scheme or port)`);
  }
  return hosts.map((h) => h.toLowerCase());
}

/**
 * Tokens must be printable, without spaces or commas, 8-256 characters (short ones are guessable),
 * each as `scope:token` (device, viewer, admin) or plain (admin).
 */
export function checkTokens(entries: readonly string[], what: string): string[] {
  for (const entry of entries) {
    const { scope, token: t, prefix } = parseTokenEntry(entry);
    if (scope === undefined) throw new ConfigError(`${what}: unknown scope '${prefix}' (scopes: ${SCOPES.join(', ')}; a plain token is an admin token)`);
    if (!/^[\x21-\x7e]{8,256}$/.test(t) || t.includes(',')) {
      throw new ConfigError(`${what}: every token must be 8-256 printable characters without spaces or commas (got one of ${t.length} characters)`);
    }
  }
  return [...entries];
}

/** Tokens from a file: one per line; blank lines and lines starting with # are skipped. */
export function parseTokensFile(content: string, file: string): string[] {
  const entries = content
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'));
  if (entries.length === 0) throw new ConfigError(`${file} holds no token (one per line; # starts a comment)`);
  return checkTokens(entries, file);
}
