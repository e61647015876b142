// Recordings over HTTP, for the client's recording page:
//   GET  /api/recordings                   recordings on disk, newest first (live ones with figures)
//   POST /api/recordings/:deviceId/start   start recording a connected device (idempotent)
//   POST /api/recordings/:deviceId/stop    stop it (the file is flushed and closed)
//   GET  /api/recordings/:id               one recording file (NDJSON, protocol/recording-format.ts)
//   GET  /api/recordings/:id?format=csv    the same as the project's csv (timestamp_ms,x,y,z,label in g)
//   DELETE /api/recordings/:id             deletes a finished recording (409 while it is recorded)
//   POST /api/recordings/import?format=…   a csv file (ours, Sensor Logger's or phyphox's) becomes a recording
import type { FastifyPluginAsync } from 'fastify';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { recordingToCsv } from '../../data/readers/recording-to-csv.js';
import { parseCsv } from '../../data/readers/csv.js';
import { parsePhyphoxCsv } from '../../data/readers/phyphox-csv.js';
import { DataFormatError, type Recording } from '../../data/readers/recording.js';
import { formatSensoriumRecording } from '../../data/readers/recording-file.js';
import { parseSensorLoggerCsv } from '../../data/readers/sensor-logger-csv.js';
import type { Units } from '../../protocol/sensor-messages.js';
import { errorBodySchema, sendError } from '../http/error-shape.js';
import { RECORDING_ID_PATTERN } from '../../protocol/recording-format.js';
import { DEVICE_ID_PATTERN } from '../../protocol/validate-sensor.js';
import type { DeviceSession } from '../devices/device-session.js';
import type { Log } from '../log.js';
import { liveEntryOf, type RecordingManager } from '../recording/recording-manager.js';

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

/** What POST /api/recordings/import reads: our csv, Sensor Logger's and phyphox's exports. */
export const RECORDING_IMPORT_FORMATS = ['csv', 'sensor-logger', 'phyphox'] as const;
type ImportFormat = (typeof RECORDING_IMPORT_FORMATS)[number];
/** Largest file imported (read whole and parsed on the event loop: ~15 minutes of 100 Hz csv). */
export const MAX_IMPORT_BYTES = 16 * 1024 * 1024;

function parseImport(format: ImportFormat, text: string, name: string, units: Units | undefined): Recording {
  if (format === 'sensor-logger') return parseSensorLoggerCsv(text, name);
  if (format === 'phyphox') return parsePhyphoxCsv(text, name);
  return parseCsv(text, name, units ? { units } : {});
}

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

  app.post<{ Params: { deviceId: string } }>(`${RECORDINGS_PATH}/:deviceId/start`, { schema: { params: deviceParams, response: { 200: toggleReply, 404: errorReply } } }, async (req, reply) => {
    const session = findSession(req.params.deviceId);
    if (!session || session.closed) {
      reply.code(404);
      return { error: 'unknown-device', message: `no device '${req.params.deviceId}' is connected` };
    }
    const { recording, started } = session.startRecording();
    if (started) log.info({ deviceId: session.info.deviceId, recording: recording.id }, 'recording started');
    return { started, recording: liveEntryOf(recording) };
  });

  app.post<{ Params: { deviceId: string } }>(`${RECORDINGS_PATH}/:deviceId/stop`, { schema: { params: deviceParams, response: { 200: toggleReply, 404: errorReply } } }, async (req, reply) => {
    const session = findSession(req.params.deviceId);
    const stopped = await session?.stopRecording('stopped over HTTP');
    if (!stopped) {
      reply.code(404);
      return { error: 'not-recording', message: `device '${req.params.deviceId}' is not being recorded` };
    }
    log.info({ deviceId: req.params.deviceId, recording: stopped.id }, 'recording stopped');
    return { recording: liveEntryOf(stopped) };
  });

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

  // Files from the page's upload or curl: the body is the file's text (text/csv or text/plain).
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: MAX_IMPORT_BYTES }, (_req, body, done) => done(null, body));
  app.post<{ Body: string; Querystring: { format: ImportFormat; name: string; units?: Units } }>(
    `${RECORDINGS_PATH}/import`,
    {
      bodyLimit: MAX_IMPORT_BYTES,
      schema: {
        description: `Imports a csv file as a recording (admin scope): the project's csv (timestamp_ms,x,y,z,label; --units for m/s²), Sensor Logger's TotalAcceleration.csv/Accelerometer.csv or phyphox's acceleration export. Body: the file's text (text/csv), at most ${MAX_IMPORT_BYTES} bytes.`,
        querystring: {
          type: 'object',
          required: ['format'],
          properties: {
            format: { type: 'string', enum: [...RECORDING_IMPORT_FORMATS] },
            name: { type: 'string', pattern: '^[A-Za-z0-9._ -]{1,100}$', default: 'upload.csv' },
            units: { type: 'string', enum: ['g', 'm/s2'] },
          },
        },
        response: {
          200: { type: 'object', required: ['recording', 'warnings'], properties: { recording: recordingSchema, warnings: { type: 'array', items: { type: 'string' } } } },
          400: errorReply,
          413: errorReply,
          415: errorReply,
        },
      },
    },
    async (req, reply) => {
      const { format, name, units } = req.query;
      if (units && format !== 'csv') return sendError(reply, 400, 'invalid-request', `${format} exports say their units; units applies to csv only`);
      let rec: Recording;
      try {
        rec = parseImport(format, req.body, name, units);
      } catch (err) {
        if (err instanceof DataFormatError) return sendError(reply, 400, 'unreadable-file', err.message);
        throw err;
      }
      const stem = name
        .replace(/\.csv$/i, '')
        .replace(/[^A-Za-z0-9._-]/g, '_')
        .replace(/^\.+/, '_');
      const startedAt = new Date().toISOString();
      const id = `${stem}_imported_${startedAt.replace(/:/g, '-')}`;
      const file = store.fileOf(id);
      if (!file) return sendError(reply, 400, 'invalid-request', `'${name}' makes no valid recording id`);
      const deviceId = `import:${stem}`.slice(0, 64);
      await mkdir(store.dir, { recursive: true });
      await writeFile(file, formatSensoriumRecording(rec, { id, deviceId, description: `${format} file ${name}${rec.warnings?.length ? ` (${rec.warnings.join('; ')})` : ''}`, startedAt }), {
        flag: 'wx',
      });
      log.info({ recording: id, format, samples: rec.t.length }, 'recording imported');
      const bytes = (await store.list()).find((r) => r.id === id)?.bytes ?? 0;
      return { recording: { id, deviceId, startedAt, bytes, active: false, samples: rec.t.length, units: 'g', rateHz: rec.rateHz, source: 'recording' }, warnings: rec.warnings ?? [] };
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
