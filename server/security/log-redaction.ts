// Tokens must never be written to the log: Sensor Logger users put `?token=` in their push URL,
// browsers send the token cookie, scripts send `Authorization: Bearer`. Fastify logs request
// URLs (and "Route GET:/x?token=… not found" messages), and any code may log headers or a hello
// message. Rather than trusting every log call, every finished log line passes through one
// filter on its way to the output, which blanks whatever looks like a credential:
//   token=… in URLs and cookies (also sensorium_token=, access_token=), Bearer/Basic credentials,
//   and the values of "authorization", "proxy-authorization" and "token" fields.
import type { FastifyServerOptions } from 'fastify';

export const REDACTED = '[REDACTED]';

// A value inside a JSON string: escaped characters or anything but a quote or backslash.
const JSON_STRING_VALUE = String.raw`(?:\\.|[^"\\])*`;
const SECRET_FIELD = new RegExp(String.raw`("(?:authorization|proxy-authorization|token)"\s*:\s*")${JSON_STRING_VALUE}(")`, 'gi');
// token=VALUE up to the next separator of URLs, cookies or JSON.
const TOKEN_PARAM = /(token=)(?:\\.|[^&\s"\\;#,])+/gi;
const AUTH_SCHEME = /\b(Bearer|Basic)\s+(?:\\.|[^\s"\\,])+/gi;

/** The text with every credential it holds replaced by [REDACTED]. */
export function redactSecrets(text: string): string {
  if (!/token|bearer|basic|authorization/i.test(text)) return text; // most lines: one cheap test
  return text.replace(SECRET_FIELD, `$1${REDACTED}$2`).replace(TOKEN_PARAM, `$1${REDACTED}`).replace(AUTH_SCHEME, `$1 ${REDACTED}`);
}

interface LineStream {
  write(line: string): unknown;
}

/**
 * Fastify logger options whose every line is redacted on its way to `stream` (default stdout).
 * `false`/undefined stay off; `true` becomes the default level.
 */
export function redactingLogger(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (logger === undefined || logger === false) return false;
  const options = (logger === true ? {} : logger) as Record<string, unknown> & { stream?: LineStream };
  const destination: LineStream = options.stream ?? process.stdout;
  return { ...options, stream: { write: (line: string) => destination.write(redactSecrets(line)) } } as FastifyServerOptions['logger'];
}
