// Errors of the image routes, answered in the one error shape (server/http/error-shape.ts) with a 4xx/5xx status.
import type { FastifyError, FastifyInstance } from 'fastify';
import { MatrixError } from '../../models/images/convolution/matrix.js';
import { UnknownKernelError } from '../../models/images/convolution/kernels.js';
import { PngDecodeError } from '../../models/images/shared/png.js';
import { ModelNotFoundError } from '../../models/store/model-store.js';
import { describeError, errorBodySchema, sendError } from '../http/error-shape.js';

export class ImageRequestError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ImageRequestError';
  }
}

export const badRequest = (code: string, message: string) => new ImageRequestError(400, code, message);

export const errorReplySchema = errorBodySchema;

/** Status codes every image route may answer with an error body. */
export const errorResponses = { 400: errorReplySchema, 406: errorReplySchema, 413: errorReplySchema, 415: errorReplySchema, 503: errorReplySchema } as const;

/** The reply a domain error stands for, or undefined for a bug (500). Also used by the image worker, whose errors cross threads as plain data. */
export function asImageRequestError(err: unknown): ImageRequestError | undefined {
  if (err instanceof ImageRequestError) return err;
  if (err instanceof PngDecodeError) return badRequest('bad-png', err.message);
  if (err instanceof UnknownKernelError) return badRequest('unknown-kernel', err.message);
  if (err instanceof MatrixError) return badRequest('bad-matrix', err.message);
  if (err instanceof ModelNotFoundError) return new ImageRequestError(503, 'model-unavailable', `this model is not trained yet: ${err.message}`);
  return undefined;
}

/** Maps domain errors to clear 4xx replies (installed per plugin: Fastify scopes it). */
export function installImageErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    const domain = asImageRequestError(err);
    if (domain) return sendError(reply, domain.statusCode, domain.code, domain.message);
    const { status, body } = describeError(err);
    if (status === 415) return sendError(reply, 415, body.error, 'send application/json, or image/png where the route takes a raw PNG');
    if (status >= 500) req.log.error(err);
    return sendError(reply, status, body.error, body.message);
  });
}
