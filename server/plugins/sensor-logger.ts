// POST /api/sensor-logger: the Sensor Logger app's HTTP push (JSON batches of readings).
import type { FastifyError, FastifyPluginAsync } from 'fastify';
import type { SensorLoggerConfig } from '../config.js';
import type { Auth } from '../security/auth.js';
import { SensorLoggerDevices, type SensorLoggerBody } from '../devices/sensor-logger.js';
import { PLACEMENTS, type Placement } from '../../protocol/sensor-messages.js';
import { describeError, errorBodySchema } from '../http/error-shape.js';

export interface SensorLoggerPluginOptions {
  settings: SensorLoggerConfig;
  auth: Pick<Auth, 'principalOf'>;
  /** Why devices are refused (no model to classify with), or undefined. */
  harUnavailable(): string | undefined;
  devices: SensorLoggerDevices;
}

export const SENSOR_LOGGER_PATH = '/api/sensor-logger';

const emptyResult = { deviceId: '', accepted: 0, ignored: 0, dropped: 0, warnings: [] as string[] };

const resultSchema = {
  type: 'object',
  required: ['deviceId', 'accepted', 'ignored', 'dropped', 'warnings'],
  properties: {
    deviceId: { type: 'string' },
    accepted: { type: 'integer' },
    ignored: { type: 'integer' },
    dropped: { type: 'integer' },
    warnings: { type: 'array', items: { type: 'string' } },
    lastPrediction: {
      type: 'object',
      properties: {
        type: { type: 'string' },
        deviceId: { type: 'string' },
        windowEnd: { type: 'number' },
        probs: { type: 'array', items: { type: 'number' } },
        label: { type: 'string' },
        latencyMs: { type: 'number' },
        truth: { type: 'string' },
      },
    },
  },
} as const;

/** Errors: the one error shape (server/http/error-shape.ts) with the push's counts beside it. */
const errorResultSchema = {
  ...resultSchema,
  required: [...errorBodySchema.required, ...resultSchema.required],
  properties: { ...resultSchema.properties, ...errorBodySchema.properties, seq: { type: 'integer' } },
} as const;

export const sensorLoggerPlugin: FastifyPluginAsync<SensorLoggerPluginOptions> = async (app, { settings: sensorLogger, auth, harUnavailable, devices }) => {
  // Schema, JSON and size errors answer in the same shape as ingest errors.
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const { status, body } = describeError(err);
    if (status >= 500) req.log.error(err);
    const message = status === 413 ? `the body is larger than ${sensorLogger.maxBodyBytes} bytes; send smaller batches` : body.message;
    reply.code(status).send({ ...emptyResult, error: status === 400 ? 'invalid' : body.error, message });
  });
  const bodySchema = {
    type: 'object',
    required: ['deviceId', 'payload'],
    properties: {
      messageId: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
      sessionId: { type: 'string', maxLength: 200 },
      // With the 'sensor-logger:' prefix it must still be a valid device id (<= 64 chars).
      deviceId: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,50}$' },
      payload: {
        type: 'array',
        maxItems: sensorLogger.maxEntries,
        items: {
          type: 'object',
          required: ['name', 'time'],
          properties: {
            name: { type: 'string', maxLength: 64 },
            time: { anyOf: [{ type: 'number' }, { type: 'string', maxLength: 25 }] },
            values: { type: 'object' },
          },
        },
      },
    },
  } as const;

  app.post<{ Body: SensorLoggerBody; Querystring: { token?: string; placement?: Placement } }>(
    SENSOR_LOGGER_PATH,
    {
      bodyLimit: sensorLogger.maxBodyBytes,
      schema: {
        body: bodySchema,
        querystring: { type: 'object', properties: { token: { type: 'string' }, placement: { type: 'string', enum: [...PLACEMENTS] } } },
        response: { 200: resultSchema, '4xx': errorResultSchema, '5xx': errorResultSchema },
      },
    },
    async (req, reply) => {
      const receivedAt = performance.now();
      // Tokens are checked for every route by server/security/http-access.ts.
      const unavailable = harUnavailable();
      if (unavailable) {
        reply.code(503);
        return { ...emptyResult, error: 'model-unavailable', message: `this server cannot classify activities: ${unavailable}` };
      }
      const result = devices.ingest(req.body, receivedAt, auth.principalOf(req.raw)?.id, req.query.placement);
      reply.code(result.status);
      const { error, ...counts } = result.body;
      return error ? { ...counts, error: error.code, message: error.message, ...(error.seq !== undefined ? { seq: error.seq } : {}) } : counts;
    },
  );
};
