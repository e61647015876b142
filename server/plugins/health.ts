// GET /api/health: is the server up and ready, on which backend, with which models, serving how
// many. A readiness check: 503 `degraded` with the `problems` named when the server cannot do its
// job (the HAR model failed to load, the inference worker is dead, recordings cannot be written),
// 200 `ok` otherwise — an untrained model or an image/text model that failed to load is a
// warning, not a reason to take the whole server out of a load balancer. While it shuts down,
// Fastify answers every request 503 (its `return503OnClosing`), this route included.
import { round2 } from '../../lib/round.js';
import type { FastifyPluginAsync } from 'fastify';
import type { ClusterSummary } from '../cluster/cluster-view.js';
import type { InferenceWorkerHealth } from '../inference/worker-classifier.js';
import type { ModelStatus } from '../model-status.js';
import type { Auth } from '../security/auth.js';
import type { ServerStats } from '../stats/server-stats.js';

/** What /api/health reports from; each a narrow view of one part of the server. */
export interface HealthSources {
  auth: Pick<Auth, 'authorizes'>;
  /** The tfjs backend in use (e.g. 'wasm'). */
  backend: string;
  /** webgpu only: the GPU adapter (fallback = software, e.g. SwiftShader). */
  adapter?: { vendor: string; architecture: string; device: string; description: string; fallback: boolean };
  /** performance.now() at start. */
  startedAt: number;
  /** The HAR model(s) this process serves. */
  models(): ModelStatus[];
  warnings: readonly string[];
  /** Why the server cannot do its job right now (empty: ready). */
  problems(): string[];
  /** Batching figures (local batcher, or the bus client's view of remote inference). */
  inference(): { meanBatch: number; queueDepth: number; overloaded: number };
  /** Present when the HAR model runs in this process's inference worker. */
  worker(): InferenceWorkerHealth | undefined;
  stats: Pick<ServerStats, 'latencyMs' | 'windowsPerSec' | 'totals'>;
  devicesConnected(): number;
  dashboards(): { connected: number; droppedMessages: number };
  /** The cluster as this node sees it (absent without a bus). */
  cluster?(): ClusterSummary | undefined;
}

export interface HealthPluginOptions {
  sources: HealthSources;
  /** Models of other route groups (text, image lab), listed after the HAR model; they load on first use. */
  otherModels?: () => ModelStatus[];
}

const modelSchema = {
  type: 'object',
  required: ['name', 'loaded', 'trained'],
  properties: {
    name: { type: 'string' },
    loaded: { type: 'boolean' },
    trained: { type: 'boolean' },
    source: { type: 'string' },
    error: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
  },
} as const;

const workerSchema = {
  type: 'object',
  required: ['state', 'restarts', 'failedStarts'],
  properties: {
    state: { type: 'string', enum: ['running', 'restarting', 'stopped'] },
    restarts: { type: 'integer' },
    failedStarts: { type: 'integer' },
    lastError: { type: 'string' },
    nextAttemptInMs: { type: 'number' },
  },
} as const;

const healthResponse = {
  type: 'object',
  // With tokens configured, callers without one (load balancers' liveness probes) get only
  // status and uptime; the rest would tell strangers what runs here and how busy it is.
  required: ['status', 'uptimeSec'],
  properties: {
    /** 'degraded' (HTTP 503) when the server cannot do its job; `problems` says why. */
    status: { type: 'string', enum: ['ok', 'degraded'] },
    problems: { type: 'array', items: { type: 'string' } },
    backend: { type: 'string' },
    adapter: {
      type: 'object',
      properties: { vendor: { type: 'string' }, architecture: { type: 'string' }, device: { type: 'string' }, description: { type: 'string' }, fallback: { type: 'boolean' } },
    },
    models: { type: 'array', items: modelSchema },
    devicesConnected: { type: 'integer' },
    dashboardsConnected: { type: 'integer' },
    /** Messages not sent to dashboards that read too slowly. */
    dashboardMessagesDropped: { type: 'integer' },
    uptimeSec: { type: 'number' },
    inference: {
      type: 'object',
      properties: {
        windowsPerSec: { type: 'number' },
        meanBatch: { type: 'number' },
        queueDepth: { type: 'integer' },
        latencyMs: { type: 'object', properties: { p50: { type: 'number' }, p99: { type: 'number' } } },
        predictions: { type: 'integer' },
        overloaded: { type: 'integer' },
        /** Present when the HAR model runs in the inference worker. */
        worker: workerSchema,
      },
    },
    warnings: { type: 'array', items: { type: 'string' } },
    /** With --bus: this node, the gateways and inference members heard in the last 3 s, devices per gateway. */
    cluster: {
      type: 'object',
      properties: {
        nodeId: { type: 'string' },
        gateways: { type: 'integer' },
        inferenceMembers: { type: 'integer' },
        members: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              nodeId: { type: 'string' },
              role: { type: 'string' },
              httpUrl: { type: 'string' },
              load: { type: 'object', additionalProperties: { type: 'number' } },
              ageMs: { type: 'number' },
            },
          },
        },
        devicesByGateway: { type: 'object', additionalProperties: { type: 'integer' } },
      },
    },
  },
} as const;

/** The inference worker's state, when the HAR model runs in one (WorkerClassifier). */
export function inferenceWorkerHealth(classifier: object | undefined): InferenceWorkerHealth | undefined {
  return (classifier as { health?: () => InferenceWorkerHealth } | undefined)?.health?.();
}

/** Why the server cannot do its job right now (empty: ready). */
export function readinessProblems(state: { harUnavailable: string | undefined; worker: InferenceWorkerHealth | undefined; disk: { code: string; message: string } | undefined }): string[] {
  const problems: string[] = [];
  if (state.harUnavailable !== undefined) problems.push(`HAR model unavailable: ${state.harUnavailable}`);
  const { worker, disk } = state;
  if (worker && worker.state !== 'running') problems.push(`inference worker ${worker.state}${worker.lastError ? `: ${worker.lastError}` : ''}`);
  if (disk) problems.push(`recordings cannot be written (${disk.code}): ${disk.message}`);
  return problems;
}

export const healthPlugin: FastifyPluginAsync<HealthPluginOptions> = async (app, { sources, otherModels }) => {
  app.get('/api/health', { schema: { response: { 200: healthResponse, 503: healthResponse } } }, async (req, reply) => {
    const batcher = sources.inference();
    const latency = sources.stats.latencyMs();
    const dashboards = sources.dashboards();
    const others = otherModels?.() ?? [];
    const problems = sources.problems();
    const status = problems.length > 0 ? 'degraded' : 'ok';
    reply.code(problems.length > 0 ? 503 : 200);
    const uptimeSec = Math.round((performance.now() - sources.startedAt) / 100) / 10;
    if (!sources.auth.authorizes(req.raw)) return { status, uptimeSec };
    const worker = sources.worker();
    const cluster = sources.cluster?.();
    // Models that load on first use are fine unloaded; one that failed to load is worth a warning.
    const modelErrors = others.filter((m) => m.error !== undefined).map((m) => `${m.name}: ${m.error}`);
    return {
      status,
      problems,
      backend: sources.backend,
      ...(sources.adapter ? { adapter: sources.adapter } : {}),
      models: [...sources.models(), ...others],
      devicesConnected: sources.devicesConnected(),
      dashboardsConnected: dashboards.connected,
      dashboardMessagesDropped: dashboards.droppedMessages,
      uptimeSec,
      inference: {
        windowsPerSec: round2(sources.stats.windowsPerSec()),
        meanBatch: round2(batcher.meanBatch),
        queueDepth: batcher.queueDepth,
        latencyMs: { p50: round2(latency.p50), p99: round2(latency.p99) },
        predictions: sources.stats.totals().predictions,
        overloaded: batcher.overloaded,
        ...(worker ? { worker } : {}),
      },
      warnings: [...sources.warnings, ...modelErrors],
      ...(cluster ? { cluster } : {}),
    };
  });
};
