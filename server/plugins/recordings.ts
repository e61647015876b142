// Recordings over HTTP, for the client's recording page:
//   GET  /api/recordings                   recordings on disk, newest first (live ones with figures)
//   POST /api/recordings/:deviceId/start   start recording a connected device (idempotent)
//   POST /api/recordings/:deviceId/stop    stop it (the file is flushed and closed)
//   GET  /api/recordings/:id               one recording file (NDJSON, protocol/recording-format.ts)
//   GET  /api/recordings/:id?format=csv    the same as the project's csv (timestamp_ms,x,y,z,label in g)
//   DELETE /api/recordings/:id             deletes a finished recording (409 while it is recorded)
import type { FastifyPluginAsync } from 'fastify';
import { createReadStream, existsSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { recordingToCsv } from '../../data/readers/recording-to-csv.js';
import { errorBodySchema, sendError } from '../http/error-shape.js';
import { RECORDING_ID_PATTERN } from '../../protocol/recording-format.js';
import { DEVICE_ID_PATTERN } from '../../protocol/validate-sensor.js';
import type { DeviceSession } from '../devices/device-session.js';
import type { Log } from '../log.js';
import type { RecordingManager } from '../recording/recording-manager.js';
import type { RecordingWriter } from '../recording/recording-writer.js';

export interface RecordingsPluginOptions {
  recordings: RecordingManager;
  log: Log;
  /** Finds a connected device's session (WebSocket devices and Sensor Logger ones). */
  findSession: (deviceId: string) => DeviceSession | undefined;
}

export const RECORDINGS_PATH = '/api/recordings';

const errorReply = errorBodySchema;

/** What GET /api/recordings/:id can answer with. */
export const RECORDING_DOWNLOAD_FORMATS = ['ndjson', 'csv'] as const;
type DownloadFormat = (typeof RECORDING_DOWNLOAD_FORMATS)[number];

const recordingSchema = {
  type: 'object',
  required: ['id', 'deviceId', 'startedAt', 'bytes', 'active'],
  properties: {
    id: { type: 'string' },
    deviceId: { type: 'string' },
    startedAt: { type: 'string' },
    bytes: { type: 'integer' },
    active: { type: 'boolean' },
    frames: { type: 'integer' },
    samples: { type: 'integer' },
    droppedFrames: { type: 'integer' },
    /** Given up because writing it failed (disk full, I/O error, folder unusable); error says why. */
    failed: { type: 'boolean' },
    error: { type: 'string' },
    units: { type: 'string' },
    rateHz: { type: 'number' },
    source: { type: 'string' },
  },
} as const;

const deviceParams = {
  type: 'object',
  required: ['deviceId'],
  properties: { deviceId: { type: 'string', pattern: DEVICE_ID_PATTERN.source } },
} as const;

const toggleReply = {
  type: 'object',
  required: ['recording'],
  properties: { started: { type: 'boolean' }, recording: recordingSchema },
} as const;

function describe(w: RecordingWriter) {
  const s = w.status();
  const entry = { id: s.id, deviceId: s.deviceId, startedAt: s.startedAt, bytes: s.bytes, active: s.active, frames: s.frames, samples: s.samples, droppedFrames: s.droppedFrames, units: w.info.units, rateHz: w.info.rateHz };
  return s.error === undefined ? entry : { ...entry, failed: true, error: s.error };
}

export const recordingsPlugin: FastifyPluginAsync<RecordingsPluginOptions> = async (app, { recordings: store, log, findSession }) => {

  app.get(
    RECORDINGS_PATH,
    {
      schema: {
        response: {
          200: {
            type: 'object',
            required: ['recordAll', 'recordings'],
            properties: { dir: { type: 'string' }, recordAll: { type: 'boolean' }, recordings: { type: 'array', items: recordingSchema } },
          },
        },
      },
    },
    async () => ({ dir: store.dir, recordAll: store.recordAll, recordings: await store.list() }),
  );

  app.post<{ Params: { deviceId: string } }>(
    `${RECORDINGS_PATH}/:deviceId/start`,
    { schema: { params: deviceParams, response: { 200: toggleReply, 404: errorReply } } },
    async (req, reply) => {
      const session = findSession(req.params.deviceId);
      if (!session || session.closed) {
        reply.code(404);
        return { error: 'unknown-device', message: `no device '${req.params.deviceId}' is connected` };
      }
      const { recording, started } = session.startRecording();
      if (started) log.info({ deviceId: session.info.deviceId, recording: recording.id }, 'recording started');
      return { started, recording: describe(recording) };
    },
  );

  app.post<{ Params: { deviceId: string } }>(
    `${RECORDINGS_PATH}/:deviceId/stop`,
    { schema: { params: deviceParams, response: { 200: toggleReply, 404: errorReply } } },
    async (req, reply) => {
      const session = findSession(req.params.deviceId);
      const stopped = await session?.stopRecording('stopped over HTTP');
      if (!stopped) {
        reply.code(404);
        return { error: 'not-recording', message: `device '${req.params.deviceId}' is not being recorded` };
      }
      log.info({ deviceId: req.params.deviceId, recording: stopped.id }, 'recording stopped');
      return { recording: describe(stopped) };
    },
  );

  const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: RECORDING_ID_PATTERN.source } } } as const;

  app.get<{ Params: { id: string }; Querystring: { format: DownloadFormat } }>(
    `${RECORDINGS_PATH}/:id`,
    {
      schema: {
        description: 'One recording: NDJSON as recorded (default), or ?format=csv (timestamp_ms,x,y,z,label in g, what `eval --format csv` and replay read).',
        params: idParams,
        querystring: { type: 'object', properties: { format: { type: 'string', enum: [...RECORDING_DOWNLOAD_FORMATS], default: 'ndjson' } } },
        response: { 404: errorReply },
      },
    },
    async (req, reply) => {
      const { id } = req.params;
      const file = store.fileOf(id);
      if (!file || !existsSync(file)) return sendError(reply, 404, 'unknown-recording', `no recording '${id}'`);
      if (req.query.format === 'csv') {
        // The first chunk (the header) is read before answering: a file that is no recording is a 404, not a torn 200.
        const chunks = recordingToCsv(createInterface({ input: createReadStream(file), crlfDelay: Infinity }), `${id}.ndjson`);
        const first = await chunks.next().catch(() => undefined);
        if (!first || first.done) return sendError(reply, 404, 'unknown-recording', `no recording '${id}'`);
        reply.header('content-type', 'text/csv; charset=utf-8');
        reply.header('content-disposition', `attachment; filename="${id}.csv"`);
        return reply.send(Readable.from(prepend(first.value, chunks)));
      }
      reply.header('content-type', 'application/x-ndjson; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="${id}.ndjson"`);
      return reply.send(createReadStream(file));
    },
  );

  app.delete<{ Params: { id: string } }>(
    `${RECORDINGS_PATH}/:id`,
    {
      schema: {
        description: 'Deletes a finished recording (admin scope). 409 while the recording is being written: stop it first.',
        params: idParams,
        response: { 200: { type: 'object', required: ['deleted'], properties: { deleted: { type: 'string' } } }, 404: errorReply, 409: errorReply },
      },
    },
    async (req, reply) => {
      const { id } = req.params;
      const file = store.fileOf(id);
      const entry = file && existsSync(file) ? (await store.list()).find((r) => r.id === id) : undefined;
      if (!file || !entry) return sendError(reply, 404, 'unknown-recording', `no recording '${id}'`);
      if (entry.active) return sendError(reply, 409, 'recording-active', `'${id}' is being recorded; stop it (POST ${RECORDINGS_PATH}/<device>/stop) before deleting it`);
      try {
        await unlink(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return sendError(reply, 404, 'unknown-recording', `no recording '${id}'`);
        throw err;
      }
      log.info({ recording: id }, 'recording deleted');
      return { deleted: id };
    },
  );
};

async function* prepend<T>(first: T, rest: AsyncIterable<T>): AsyncGenerator<T> {
  yield first;
  yield* rest;
}
