// Recordings over HTTP, for the client's recording page:
//   GET  /api/recordings                   recordings on disk, newest first (live ones with figures)
//   POST /api/recordings/:deviceId/start   start recording a connected device (idempotent)
//   POST /api/recordings/:deviceId/stop    stop it (the file is flushed and closed)
//   GET  /api/recordings/:id               one recording file (NDJSON, protocol/recording-format.ts)
import type { FastifyPluginAsync } from 'fastify';
import { createReadStream, existsSync } from 'node:fs';
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

const errorReply = { type: 'object', required: ['error', 'message'], properties: { error: { type: 'string' }, message: { type: 'string' } } } as const;

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

  app.get<{ Params: { id: string } }>(
    `${RECORDINGS_PATH}/:id`,
    {
      schema: {
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: RECORDING_ID_PATTERN.source } } },
        response: { 404: errorReply },
      },
    },
    async (req, reply) => {
      const file = store.fileOf(req.params.id);
      if (!file || !existsSync(file)) {
        reply.code(404);
        return { error: 'unknown-recording', message: `no recording '${req.params.id}'` };
      }
      reply.header('content-type', 'application/x-ndjson; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="${req.params.id}.ndjson"`);
      return reply.send(createReadStream(file));
    },
  );
};
