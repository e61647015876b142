// The one definition of what travels on the bus between Sensorium's processes (server/bus/bus.ts):
// every subject, its payload, who publishes, who subscribes, and the queue groups.
// On NATS payloads are msgpack (typed arrays keep their type); in one process they are passed by
// reference and are immutable once published. Receivers validate what they get: bytes from the
// wire are untrusted (the bus refuses undecodable or non-plain data before a handler sees it).
//
// | subject                           | pattern       | publisher  -> subscriber                  | queue group |
// |-----------------------------------|---------------|-------------------------------------------|-------------|
// | sensorium.har.classify            | request/reply | gateway -> one inference member           | `inference` |
// | sensorium.predictions.<deviceId>  | fan-out       | device's gateway -> dashboards everywhere | none        |
// | sensorium.signals.<deviceId>      | fan-out       | device's gateway -> dashboards everywhere | none        |
// | sensorium.devices.<gatewayId>     | fan-out       | gateway (on change + heartbeat) -> all    | none        |
// | sensorium.nodes.heartbeat         | fan-out       | every node, every HEARTBEAT_INTERVAL_MS   | none        |
// | sensorium.watching.<nodeId>       | fan-out       | node with dashboards -> gateways          | none        |
// | KV bucket `sensorium-sessions`    | key-value     | gateway put/get on (dis)connect           | -           |
//
// Ids become subject tokens through tokenForId (a device id may hold `.`, which would split the
// subject); the payload carries the id itself.
import type { DeviceInfo, PredictionMessage, SignalMessage, Placement } from './sensor-messages.js';

export const SUBJECT_PREFIX = 'sensorium';

// ---- inference: request/reply -------------------------------------------------------------

/** Gateways ask one member of the `inference` queue group to classify one window. */
export const HAR_CLASSIFY_SUBJECT = `${SUBJECT_PREFIX}.har.classify`;
/** Queue group of the inference processes: each window goes to exactly one of them. */
export const INFERENCE_QUEUE = 'inference';

/** Request on HAR_CLASSIFY_SUBJECT. */
export interface ClassifyRequest {
  /** The device the window comes from (keeps batching fair between devices). */
  deviceId: string;
  /** windowSize samples, interleaved [x, y, z] in g (the model's shape: NodeHeartbeat.model). */
  window: Float32Array;
  /** Where the device said the phone is, for models that read it. */
  placement?: Placement;
}

/** Reply on HAR_CLASSIFY_SUBJECT: the window's probabilities, or why it was not classified. */
export type ClassifyReply =
  | {
      /** Class probabilities in the model's class order. */
      probs: Float32Array;
      /** The shared trunk's pooled features, when the model gives them (personal heads read them). */
      features?: Float32Array;
    }
  | {
      /** 'overloaded': this member's queue is full (try another or shed); others: see message. */
      error: { code: 'overloaded' | 'model-unavailable' | 'invalid' | 'internal'; message: string };
    };

// ---- fan-out to dashboards on any gateway -------------------------------------------------

/** Every prediction of a device, from the gateway that holds its socket. */
export function predictionsSubject(deviceId: string): string {
  return `${SUBJECT_PREFIX}.predictions.${tokenForId(deviceId)}`;
}
/** Subscribe here for every device's predictions. */
export const ALL_PREDICTIONS_SUBJECT = `${SUBJECT_PREFIX}.predictions.*`;
/** Payload on predictionsSubject: the message dashboards already get. */
export type PredictionPayload = PredictionMessage;

/** A device's downsampled raw signal for charts. */
export function signalsSubject(deviceId: string): string {
  return `${SUBJECT_PREFIX}.signals.${tokenForId(deviceId)}`;
}
export const ALL_SIGNALS_SUBJECT = `${SUBJECT_PREFIX}.signals.*`;
/** Payload on signalsSubject: the message dashboards already get. */
export type SignalPayload = SignalMessage;

// ---- cluster membership ---------------------------------------------------------------------

/** A gateway's device list: published when it changes, and every HEARTBEAT_INTERVAL_MS. */
export function devicesSubject(gatewayId: string): string {
  return `${SUBJECT_PREFIX}.devices.${tokenForId(gatewayId)}`;
}
export const ALL_DEVICES_SUBJECT = `${SUBJECT_PREFIX}.devices.*`;

/** Payload on devicesSubject. The whole list each time, so a lost message costs nothing. */
export interface GatewayDevicesPayload {
  gatewayId: string;
  devices: DeviceInfo[];
  /** Sender's Date.now(): a list older than NODE_EXPIRY_MS belongs to a dead gateway. */
  sentAt: number;
}

/** Every node (gateway, inference or all) says it is alive, what it is and how busy it is. */
export const NODES_HEARTBEAT_SUBJECT = `${SUBJECT_PREFIX}.nodes.heartbeat`;
export const HEARTBEAT_INTERVAL_MS = 1_000;
/** A node not heard from for this long is gone (three missed heartbeats). */
export const NODE_EXPIRY_MS = 3 * HEARTBEAT_INTERVAL_MS;

export type NodeRole = 'all' | 'gateway' | 'inference';

export interface NodeHeartbeat {
  role: NodeRole;
  /** Unique per process (e.g. hostname-pid-random). */
  nodeId: string;
  /** Sender's Date.now(). */
  sentAt: number;
  /** Where this node serves /api/health and /metrics. */
  httpUrl?: string;
  load: {
    /** Gateways: connected devices. */
    devices?: number;
    /** Inference: windows waiting in the batcher. */
    queueDepth?: number;
    windowsPerSec?: number;
    /** Share of one core used since the last heartbeat (process.cpuUsage). */
    cpu?: number;
  };
  /** Inference nodes: the model's shape, so gateways cut windows to fit. */
  model?: {
    classes: string[];
    windowSize: number;
    hop: number;
    rateHz: number;
    /** False when the member serves an untrained stand-in (its predictions are meaningless). */
    trained?: boolean;
  };
}

/**
 * What a node's dashboards watch, so gateways compute and publish signal only for devices someone
 * watches: published when it changes, and every HEARTBEAT_INTERVAL_MS (forgotten after NODE_EXPIRY_MS).
 */
export function watchingSubject(nodeId: string): string {
  return `${SUBJECT_PREFIX}.watching.${tokenForId(nodeId)}`;
}
export const ALL_WATCHING_SUBJECT = `${SUBJECT_PREFIX}.watching.*`;

/** Payload on watchingSubject: every device ('*') or these ids. */
export interface WatchingPayload {
  nodeId: string;
  watching: '*' | string[];
  sentAt: number;
}

// ---- session state for resume on another gateway --------------------------------------------

/** KV bucket of device sessions, keyed by sessionKey(deviceId). */
export const SESSIONS_BUCKET = 'sensorium-sessions';
/** A session not touched for this long is forgotten (the bucket's TTL). */
export const SESSION_TTL_MS = 10 * 60_000;

/** The KV key of a device's session (KV keys allow letters, digits and `-_=/.`). */
export function sessionKey(deviceId: string): string {
  return tokenForId(deviceId);
}

// ---- tokens -----------------------------------------------------------------------------------

const TOKEN = /^[A-Za-z0-9_=-]{1,200}$/;
const ESCAPED = /[^A-Za-z0-9_-]/g;
const ESCAPE = /=([0-9A-F]{2})/g;

/**
 * An id as one subject token and KV key. Device ids may hold `.` and `:` (DEVICE_ID_PATTERN), and
 * a `.` would split the subject, so every character outside letters, digits, `_` and `-` becomes
 * `=XX` (its hex code): `phone.1` -> `phone=2E1`. Reversible with idFromToken.
 */
export function tokenForId(id: string): string {
  if (id.length === 0 || id.length > 64) throw new RangeError(`bus ids are 1-64 characters (got ${id.length})`);
  const token = id.replace(ESCAPED, (c) => {
    const code = c.charCodeAt(0);
    if (code > 0x7f) throw new RangeError(`bus ids are ASCII: ${JSON.stringify(id.slice(0, 40))}`);
    return `=${code.toString(16).toUpperCase().padStart(2, '0')}`;
  });
  return token;
}

/** The id a token stands for (the inverse of tokenForId); undefined when it is not such a token. */
export function idFromToken(token: string): string | undefined {
  if (!TOKEN.test(token)) return undefined;
  const id = token.replace(ESCAPE, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  try {
    return tokenForId(id) === token ? id : undefined;
  } catch {
    return undefined;
  }
}
