// The logger every part of the server writes to (Fastify's pino logger fits; tests pass fakes).
export interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
