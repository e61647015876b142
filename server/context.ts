// What the route groups share: settings, the inference service, the device registry and
// sessions, recordings, auth, stats and the logger.
import type { FastifyBaseLogger } from 'fastify';
import type { PersonalModels } from './calibration/personal-models.js';
import type { ServerConfig } from './config.js';
import type { DeviceRegistry } from './devices/device-registry.js';
import type { SessionStore } from './devices/session-store.js';
import type { HarInference } from './inference/har-inference.js';
import type { RecordingManager } from './recording/recording-manager.js';
import type { Auth } from './security/auth.js';
import type { ServerStats } from './stats/server-stats.js';

/** One loaded model, as /api/health reports it. Other services (images, text) add theirs. */
export interface ModelStatus {
  name: string;
  loaded: boolean;
  /** False when serving an untrained stand-in (predictions are meaningless). */
  trained: boolean;
  /** Where it was loaded from, relative to the repository when possible. */
  source?: string;
  /** Why it is not loaded (missing or corrupt files). */
  error?: string;
  details?: Record<string, unknown>;
}

export interface ServerContext {
  config: ServerConfig;
  inference: HarInference;
  /** Personal calibration: the shared head, stored personal heads, the fit queue (server/calibration/). */
  personal: PersonalModels;
  /** Set when the HAR model could not be loaded: devices are refused with this reason. */
  harUnavailable?: string;
  registry: DeviceRegistry;
  /** WebSocket device sessions, including those waiting for their device to reconnect. */
  sessions: SessionStore;
  recordings: RecordingManager;
  auth: Auth;
  log: FastifyBaseLogger;
  stats: ServerStats;
  /** The tfjs backend in use (e.g. 'wasm'). */
  backend: string;
  /** performance.now() at start. */
  startedAt: number;
  models: ModelStatus[];
  warnings: string[];
  /** Dashboards connected and messages dropped for slow ones (answered by the dashboard hub). */
  dashboards: () => { connected: number; droppedMessages: number };
}
