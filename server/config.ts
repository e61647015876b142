// Server settings: what the code gets (config/schema.ts), every option once with its default,
// variable, flag and doc (config/options.ts), and how they are read (config/parse.ts).
// `npm start -- --help` and the options table in server/README.md are written from the table.
// Modules import from here; the names below are the settings' public face.
import { CONFIG_OPTIONS } from './config/options.js';
import { DEFAULT_CONFIG } from './config/parse.js';
import type { ServerConfig } from './config/schema.js';

export * from './config/schema.js';
export { ConfigError } from './config/errors.js';
export { DEFAULT_CONFIG, configFromEnv, parseServerConfig } from './config/parse.js';
export { checkAddresses, checkTokens, parseHostNames, parseSmoothing, parseTokensFile } from './config/value-types.js';

/** Every environment variable the server reads. */
export const ENV_VARS: readonly string[] = CONFIG_OPTIONS.flatMap((o) => [o.env, ...(o.envAliases ?? [])].filter((e): e is string => e !== undefined));

export type ConfigOverrides = {
  [K in keyof ServerConfig]?: ServerConfig[K] extends object ? Partial<ServerConfig[K]> : ServerConfig[K];
};

/** Defaults with nested overrides applied (tests pass only what they change). */
export function makeConfig(overrides: ConfigOverrides = {}, base: ServerConfig = DEFAULT_CONFIG): ServerConfig {
  const out = structuredClone(base) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const current = out[key];
    const isGroup = current !== null && typeof current === 'object' && !Array.isArray(current);
    out[key] = isGroup ? { ...(current as object), ...(value as object) } : value;
  }
  return out as unknown as ServerConfig;
}
