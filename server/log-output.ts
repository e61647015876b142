// Where the server's log lines go and how they look: JSON lines for machines (files, log
// collectors, child processes piped by the cluster CLI), one readable line per entry for a
// person watching a terminal (pino-pretty). `--log-format auto` decides by stdout.
import type { FastifyServerOptions } from 'fastify';
import pinoPretty from 'pino-pretty';
import type { LogFormat, LogLevel } from './config/schema.js';

interface LineStream {
  write(line: string): unknown;
  isTTY?: boolean;
}

/** pretty or json: auto becomes pretty exactly when the output is a terminal. */
export function resolveLogFormat(format: LogFormat, out: { isTTY?: boolean }): 'pretty' | 'json' {
  if (format !== 'auto') return format;
  return out.isTTY === true ? 'pretty' : 'json';
}

/**
 * Fastify logger options for `npm start`. Pretty output is written synchronously, like pino's
 * own JSON to stdout, so the last lines before an exit are not lost. The token redaction
 * (security/log-redaction.ts) wraps this stream: it sees the JSON line before it is prettified.
 */
export function serverLoggerOptions(level: LogLevel, format: LogFormat, out: LineStream = process.stdout): FastifyServerOptions['logger'] {
  if (resolveLogFormat(format, out) === 'json') return { level, stream: out };
  const pretty = pinoPretty({
    destination: out as NodeJS.WritableStream,
    sync: true,
    colorize: out.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    singleLine: true, // an entry's fields on its own line, not a block of JSON per request
  });
  return { level, stream: pretty };
}
