// The sensor wire protocol: what devices, the server and dashboards say to each other.
// One definition, imported by the server, the simulators and the browser client.
import type { CalibrationCommand, CalibrationStatusMessage, PredictionSource } from './calibration-messages.js';

/** The six HAPT activities (the first model's classes; what the synthetic phones simulate). */
export const ACTIVITIES = ['walking', 'upstairs', 'downstairs', 'sitting', 'standing', 'lying'] as const;
export type Activity = (typeof ACTIVITIES)[number];

/**
 * Every activity name a model may have, in canonical order. A model's classes (its metadata, the
 * welcome's `classes`) are an ordered subset of these; ground truth may also say 'stairs'.
 */
export const ACTIVITY_NAMES = [...ACTIVITIES, 'jogging'] as const;
export type ActivityName = (typeof ACTIVITY_NAMES)[number];

/** Where the phone is carried; the hello may say it (absent = 'unknown'). */
export const PLACEMENTS = ['pocket', 'waist', 'hand', 'bag', 'unknown'] as const;
export type Placement = (typeof PLACEMENTS)[number];

export type Units = 'g' | 'm/s2';
export type DeviceSource = 'phone' | 'simulator' | 'replay' | 'sensor-logger' | 'recording';

// ---- device -> server -------------------------------------------------------------------

/** First frame of every device connection. */
export interface HelloMessage {
  type: 'hello';
  /** Stable id chosen by the device (1-64 chars of [A-Za-z0-9._:-]). */
  deviceId: string;
  /** Nominal sample rate; timestamps rule, this is a hint (10-200 Hz). */
  rateHz: number;
  units: Units;
  source?: DeviceSource;
  /** True when sample frames carry ground-truth labels (replays). */
  hasLabels?: boolean;
  /** Auth token, when the server requires one. */
  token?: string;
  /** Free-form description shown on dashboards (phone model, file name…). */
  description?: string;
  /** Where the phone is carried (trouser pocket, belt…); validation fills in 'unknown' when absent. */
  placement?: Placement;
  /**
   * When reconnecting: the `windowEnd` of the last prediction this device received. If the
   * server resumes the session, it re-sends the predictions after it that the old connection
   * may have lost (the most recent 64).
   */
  lastWindowEnd?: number;
}

/**
 * Many samples in columnar arrays. `t` is the device clock in ms (epoch or relative),
 * non-decreasing within a frame; frames may arrive out of order (use `seq`).
 * In msgpack frames a typed array travels as a `bin` of its little-endian bytes (that is what
 * msgpackr does with typed arrays): `t` must then be float64, x/y/z float32 or float64 (the
 * server tells them apart by byte length). Plain number arrays work in both encodings.
 */
export interface SamplesMessage {
  type: 'samples';
  /** Frame counter, increasing by one per frame from 0. */
  seq: number;
  t: number[] | Float64Array;
  x: number[] | Float32Array | Float64Array;
  y: number[] | Float32Array | Float64Array;
  z: number[] | Float32Array | Float64Array;
  /** Ground truth per sample (replays): an activity name, 'stairs', or anything else (ignored). */
  labels?: string[];
}

export type DeviceToServer = HelloMessage | SamplesMessage | CalibrationCommand;

// ---- server -> device -------------------------------------------------------------------

export interface WelcomeMessage {
  type: 'welcome';
  deviceId: string;
  classes: string[];
  /** Model input: windowSize samples at rateHz, a prediction every hop samples. */
  windowSize: number;
  hop: number;
  rateHz: number;
  backend: string;
  limits: ProtocolLimits;
  /**
   * This connection continues the device's previous one (it reconnected within the grace
   * period): windows go on where they were. Seq numbers start again at 0 on every connection.
   */
  resumed?: boolean;
}

export interface PredictionMessage {
  type: 'prediction';
  deviceId: string;
  /** Device-clock time (ms) of the last sample in the window. */
  windowEnd: number;
  /** Class probabilities, in `classes` order (smoothed over recent windows). */
  probs: number[];
  label: string;
  /** Last sample of the window received -> prediction sent, server side. */
  latencyMs: number;
  /** Ground truth of the window, when the device sends labels and the window has one. */
  truth?: string;
  /** 'personal' when the device's own calibrated head made it (protocol/calibration-messages.ts). */
  source?: PredictionSource;
}

export type ErrorCode =
  | 'bad-frame' // undecodable bytes or JSON
  | 'invalid' // decodable but not a valid message
  | 'not-hello' // samples before hello
  | 'duplicate-hello'
  | 'out-of-range' // rate, values, timestamps outside the accepted range
  | 'too-many-samples'
  | 'rate-limited'
  | 'overloaded' // the inference queue is full; the window was dropped
  | 'unauthorized'
  | 'id-in-use' // another connection already streams under this deviceId
  | 'model-unavailable' // the HAR model failed to load: this server cannot classify
  | 'internal';

export interface ErrorMessage {
  type: 'error';
  code: ErrorCode;
  message: string;
  /** The offending frame's seq, when known. */
  seq?: number;
}

export type ServerToDevice = WelcomeMessage | PredictionMessage | ErrorMessage | CalibrationStatusMessage;

// ---- dashboard <-> server ---------------------------------------------------------------

export interface SubscribeMessage {
  type: 'subscribe';
  /** '*' for every device, or a list of ids. */
  devices: '*' | string[];
  token?: string;
}

export interface DeviceInfo {
  deviceId: string;
  rateHz: number;
  units: Units;
  source?: DeviceSource;
  hasLabels?: boolean;
  description?: string;
  /** Where the device said the phone is (its hello's placement). */
  placement?: Placement;
  connectedAt: number;
  /** The device has a personal head (it predicts with it). */
  personal?: boolean;
}

export interface DevicesMessage {
  type: 'devices';
  devices: DeviceInfo[];
}

/** Downsampled raw signal for charts, in g. */
export interface SignalMessage {
  type: 'signal';
  deviceId: string;
  t: number[];
  x: number[];
  y: number[];
  z: number[];
}

export interface ServerStatsMessage {
  type: 'stats';
  backend: string;
  devices: number;
  windowsPerSec: number;
  meanBatch: number;
  queueDepth: number;
  latencyMs: { p50: number; p99: number };
  /** In a cluster (--bus nats://…): the gateways and inference members heard, and devices per gateway. */
  cluster?: ClusterStats;
}

export interface ClusterStats {
  /** The gateway this dashboard is connected to. */
  nodeId: string;
  gateways: number;
  inferenceMembers: number;
  devicesByGateway: Record<string, number>;
}

export type ServerToDashboard = DevicesMessage | PredictionMessage | SignalMessage | ServerStatsMessage | ErrorMessage;
export type DashboardToServer = SubscribeMessage;

// ---- limits -----------------------------------------------------------------------------

export interface ProtocolLimits {
  /** Largest frame in bytes; bigger frames close the socket with 1009. */
  maxFrameBytes: number;
  maxSamplesPerFrame: number;
  minRateHz: number;
  maxRateHz: number;
  /** Accelerations beyond this magnitude per axis (in g) are rejected as out of range. */
  maxAbsG: number;
}

export const DEFAULT_LIMITS: ProtocolLimits = {
  maxFrameBytes: 1 << 20,
  maxSamplesPerFrame: 2000,
  minRateHz: 10,
  maxRateHz: 200,
  maxAbsG: 16,
};

export const STANDARD_GRAVITY = 9.80665;
