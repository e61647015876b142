// What the dashboard knows about each device, fed by /ws/dashboard messages. Every buffer is
// fixed-size, and devices that go offline are forgotten (except the one being watched), so
// memory stays flat however long the page is open.
import { ACTIVITY_NAMES, type DeviceInfo, type PredictionMessage, type SignalMessage } from '../../../../protocol/sensor-messages.js';
import { PredictionHistory } from '../../charts/prediction-history.js';
import { SignalRing } from '../../charts/signal-ring.js';
import { ConfusionCounts } from './confusion.js';

/** Signal kept per device: 20 s at 50 Hz, more than the chart's 10 s window at any downsampling. */
const SIGNAL_CAPACITY = 1000;

export interface DeviceState {
  info: DeviceInfo;
  online: boolean;
  signal: SignalRing;
  history: PredictionHistory;
  confusion: ConfusionCounts;
  probs: Float32Array;
  label: string | undefined;
  latencyMs: number;
  predictions: number;
  /** Predictions come from the device's personal head (its latest prediction's source, else its hello-time state). */
  personal: boolean;
  /** Local time (performance.now) of the last prediction or signal, for "stale" hints. */
  lastSeen: number;
}

export class DeviceStore {
  readonly devices = new Map<string, DeviceState>();
  // Every known name: the models' classes are ordered subsets of these that so far are prefixes
  // (the 6 HAPT classes, then + jogging); probabilities beyond the model's classes stay 0.
  readonly classes: readonly string[] = ACTIVITY_NAMES;

  /** Replaces the device list; returns whether the set of ids changed. */
  setDevices(list: readonly DeviceInfo[], keep: string | undefined): void {
    const online = new Set(list.map((d) => d.deviceId));
    for (const [id, state] of this.devices) {
      if (online.has(id)) continue;
      if (id === keep) state.online = false;
      else this.devices.delete(id);
    }
    for (const info of list) {
      const existing = this.devices.get(info.deviceId);
      if (existing) {
        // Reconnected with a new hello (maybe a new rate or replay): fresh statistics.
        if (existing.info.connectedAt !== info.connectedAt) this.resetStats(existing);
        existing.info = info;
        existing.online = true;
        if (existing.predictions === 0) existing.personal = info.personal === true;
      } else {
        this.devices.set(info.deviceId, this.create(info));
      }
    }
  }

  addSignal(message: SignalMessage): DeviceState | undefined {
    const state = this.devices.get(message.deviceId);
    if (!state) return undefined;
    state.signal.push(message.t, message.x, message.y, message.z);
    state.lastSeen = performance.now();
    return state;
  }

  addPrediction(message: PredictionMessage): DeviceState | undefined {
    const state = this.devices.get(message.deviceId);
    if (!state) return undefined;
    for (let i = 0; i < state.probs.length; i++) state.probs[i] = message.probs[i] ?? 0;
    state.label = message.label;
    state.latencyMs = message.latencyMs;
    state.predictions++;
    if (message.source !== undefined) state.personal = message.source === 'personal';
    state.lastSeen = performance.now();
    state.history.add(message.windowEnd, message.label, message.truth);
    if (message.truth !== undefined) state.confusion.add(message.truth, message.label);
    return state;
  }

  private create(info: DeviceInfo): DeviceState {
    return {
      info,
      online: true,
      signal: new SignalRing(SIGNAL_CAPACITY),
      history: new PredictionHistory(this.classes),
      confusion: new ConfusionCounts(this.classes),
      probs: new Float32Array(this.classes.length),
      label: undefined,
      latencyMs: NaN,
      predictions: 0,
      personal: info.personal === true,
      lastSeen: performance.now(),
    };
  }

  private resetStats(state: DeviceState): void {
    state.signal.clear();
    state.history.clear();
    state.confusion.reset();
    state.probs.fill(0);
    state.label = undefined;
    state.predictions = 0;
  }
}
