// One device's personal calibration, alongside its pipeline (device-session.ts hooks it in):
//  - classify: every window goes through the shared batcher (the trunk stays batched across all
//    devices); the features that come back go through this device's personal head when it has
//    one, else the shared probabilities are used. Each window remembers who classified it.
//  - while collecting, published windows with a ground truth (the frames' `labels`) keep their
//    features; labels the model has no class for are noted from the accepted frames.
//  - commands (protocol/calibration-messages.ts): start, personalise (fit off the pipeline, save,
//    switch), reset (delete, back to shared), cancel. Every answer is a `calibration-status`.
import type { CalibrationCommand, CalibrationErrorCode, CalibrationStatusMessage, PredictionSource } from '../../protocol/calibration-messages.js';
import { parseCalibrationCommand } from '../../protocol/calibration-messages.js';
import type { DeviceInfo, ServerToDevice } from '../../protocol/sensor-messages.js';
import { applyHead, CalibrationError, checkCalibration, truthTargets, type CalibrationWindow, type PersonalHead } from '../../models/har/personal-head.js';
import type { WindowInference } from '../inference/window-inference.js';
import type { SmoothedWindow, TimedFrame } from '../pipeline/types.js';
import { BusyError, type PersonalModels } from './personal-models.js';

/** Distinct unknown labels remembered per calibration (each is at most 64 characters). */
const MAX_UNKNOWN_LABELS = 16;

export interface DeviceCalibrationDeps {
  info: DeviceInfo;
  inference: WindowInference;
  personal: PersonalModels;
  send: (message: ServerToDevice) => void;
  log: (message: string) => void;
}

export class DeviceCalibration {
  private head: PersonalHead | undefined;
  private loading: Promise<void> | undefined;
  private state: CalibrationStatusMessage['state'] = 'idle';
  private collected: CalibrationWindow[] = [];
  private readonly perLabel = new Map<string, number>();
  private readonly unknownLabels = new Set<string>();
  /** Who classified each window in flight, and its features while collecting (keyed by the window's data). */
  private readonly windows = new WeakMap<Float32Array, { source: PredictionSource; features?: Float32Array }>();
  private lastFitMs: number | undefined;
  /** The last fit's held-out comparison (kept even when it kept the shared head). */
  private lastValidation: PersonalHead['validation'];
  private closed = false;
  /** Bumped by reset/start: a fit that finishes after either is discarded. */
  private generation = 0;

  constructor(private readonly deps: DeviceCalibrationDeps) {
    // A stored head (an earlier session, a server restart) applies from the device's first window.
    if (deps.personal.shared) {
      this.loading = deps.personal.load(deps.info.deviceId, deps.info.placement).then(
        (head) => {
          this.loading = undefined;
          if (head && !this.closed && !this.head) {
            this.setHead(head);
            this.sendStatus();
          }
        },
        (err: unknown) => {
          this.loading = undefined;
          deps.log(`loading the personal head of ${deps.info.deviceId} failed: ${err instanceof Error ? err.message : String(err)}`);
        },
      );
    }
  }

  get personal(): boolean {
    return this.head !== undefined;
  }

  /** The pipeline's classify step: shared trunk (batched), then this device's head if it has one. */
  classify(data: Float32Array): Promise<Float32Array> {
    if (this.loading) return this.loading.then(() => this.classify(data));
    return this.deps.inference.classifyWithFeatures(data, this.deps.info.deviceId, this.deps.info.placement).then((r) => {
      const head = this.head;
      const keep = this.state === 'collecting' ? r.features?.slice() : undefined;
      if (head && r.features) {
        this.windows.set(data, keep ? { source: 'personal', features: keep } : { source: 'personal' });
        return applyHead(head, r.features, new Float32Array(head.classes.length));
      }
      this.windows.set(data, keep ? { source: 'shared', features: keep } : { source: 'shared' });
      return r.probs;
    });
  }

  /** A window's prediction is going out: who made it; while collecting, keep its features and truth. */
  published(w: SmoothedWindow): PredictionSource {
    const info = this.windows.get(w.data);
    this.windows.delete(w.data);
    if (this.state === 'collecting' && info?.features && w.truth !== undefined) this.collect(w.truth, info.features);
    return info?.source ?? 'shared';
  }

  /** Labels of accepted frames while collecting: those the model has no class for are remembered. */
  observeFrame(frame: TimedFrame): void {
    if (this.state !== 'collecting' || !frame.labels || !this.deps.personal.shared) return;
    const classes = this.deps.personal.shared.classes;
    let last: string | undefined;
    for (const raw of frame.labels) {
      if (raw === undefined || raw === last) continue;
      last = raw;
      const label = raw.trim().toLowerCase();
      if (label === '' || truthTargets(classes, label)) continue;
      if (this.unknownLabels.size < MAX_UNKNOWN_LABELS) this.unknownLabels.add(label);
    }
  }

  /** A `calibration` message from the device. */
  command(value: unknown): void {
    const parsed = parseCalibrationCommand(value);
    if (!parsed.ok) return this.deps.send({ type: 'error', code: 'invalid', message: parsed.message });
    const action: CalibrationCommand['action'] = parsed.action;
    if (this.deps.personal.unavailable) return this.fail('unavailable', `personal calibration is unavailable: ${this.deps.personal.unavailable}`);
    switch (action) {
      case 'start':
        if (this.state === 'fitting') return this.fail('busy', 'a personal head is being fitted for this device: wait for it');
        this.clear();
        this.state = 'collecting';
        return this.sendStatus();
      case 'cancel':
        this.state = 'idle'; // a fit under way is discarded (clear() moves the generation on)
        this.clear();
        return this.sendStatus();
      case 'reset':
        return void this.reset();
      case 'personalise':
        return void this.personalise();
    }
  }

  close(): void {
    this.closed = true;
    this.clear();
  }

  private async personalise(): Promise<void> {
    if (this.state === 'fitting') return this.fail('busy', 'a personal head is being fitted for this device already');
    if (this.state !== 'collecting') return this.fail('not-collecting', 'start calibration first (then record labelled activities)');
    const personal = this.deps.personal;
    if (this.unknownLabels.size > 0) {
      return this.fail('unknown-label', `the model has no class ${[...this.unknownLabels].map((l) => `'${l}'`).join(', ')} (its classes: ${personal.shared!.classes.join(', ')})`);
    }
    try {
      checkCalibration(personal.shared!, this.collected); // fails at once, before queueing
    } catch (err) {
      if (err instanceof CalibrationError) return this.fail(err.code, err.message);
      throw err;
    }
    this.state = 'fitting';
    const generation = this.generation;
    this.sendStatus();
    try {
      const { head, ms } = await personal.fit(this.collected);
      if (this.closed || generation !== this.generation) return;
      if (this.deps.info.placement !== undefined) head.placement = this.deps.info.placement;
      // The guard kept the shared head (the personal one did no better on held-out calibration
      // windows): the device uses the shared model, and an earlier personal head goes too.
      const keptShared = head.validation?.kept === 'shared';
      try {
        if (keptShared) await personal.store.remove(this.deps.info.deviceId);
        else await personal.store.save(this.deps.info.deviceId, head);
      } catch (err) {
        this.state = 'collecting';
        return this.fail('storage', `the personal head could not be saved: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (this.closed || generation !== this.generation) return;
      this.lastFitMs = ms;
      this.lastValidation = head.validation;
      this.setHead(keptShared ? undefined : head);
      this.state = 'idle';
      this.clear();
      const v = head.validation;
      const guard = v ? `; held out: shared ${v.shared.accuracy}, personal ${v.personal.accuracy}, kept ${v.kept}${v.kept === 'mixed' ? ` ${v.mixing}` : ''}` : '';
      this.deps.log(
        `personal head fitted for ${this.deps.info.deviceId} in ${ms.toFixed(0)} ms (${Object.entries(head.windows)
          .map(([l, n]) => `${l} ${n}`)
          .join(', ')}${guard})`,
      );
      this.sendStatus();
    } catch (err) {
      if (generation !== this.generation) return;
      this.state = 'collecting';
      if (err instanceof CalibrationError) return this.fail(err.code, err.message);
      if (err instanceof BusyError) return this.fail('busy', err.message);
      throw err;
    }
  }

  private async reset(): Promise<void> {
    this.generation++;
    this.state = 'idle';
    this.clear();
    try {
      await this.deps.personal.store.remove(this.deps.info.deviceId);
    } catch (err) {
      return this.fail('storage', `the personal head could not be deleted: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.setHead(undefined);
    this.lastValidation = undefined;
    this.sendStatus();
  }

  private collect(truth: string, features: Float32Array): void {
    const n = this.perLabel.get(truth) ?? 0;
    if (n >= this.deps.personal.config.maxWindowsPerLabel) return;
    this.perLabel.set(truth, n + 1);
    this.collected.push({ truth, features });
    this.sendStatus();
  }

  private clear(): void {
    this.generation++;
    this.collected = [];
    this.perLabel.clear();
    this.unknownLabels.clear();
  }

  private setHead(head: PersonalHead | undefined): void {
    this.head = head;
    if (head) this.deps.info.personal = true;
    else delete this.deps.info.personal;
  }

  private fail(code: CalibrationErrorCode, message: string): void {
    this.sendStatus({ code, message });
  }

  private sendStatus(error?: CalibrationStatusMessage['error']): void {
    if (this.closed) return;
    const { windowSize, hop, rateHz } = this.deps.inference.model;
    const collected: CalibrationStatusMessage['collected'] = {};
    for (const [label, windows] of this.perLabel) collected[label] = { windows, seconds: Math.round(((windowSize + (windows - 1) * hop) / rateHz) * 10) / 10 };
    const status: CalibrationStatusMessage = { type: 'calibration-status', deviceId: this.deps.info.deviceId, state: this.state, personal: this.personal, collected };
    const h = this.head;
    if (h) status.head = { fittedAt: h.fittedAt, calibrated: h.calibrated, windows: h.windows, trainAccuracy: Math.round(h.trainAccuracy * 1000) / 1000 };
    const validation = this.lastValidation ?? h?.validation;
    if (validation) status.validation = validation;
    if (this.lastFitMs !== undefined) status.fitMs = Math.round(this.lastFitMs);
    if (error) status.error = error;
    this.deps.send(status);
  }
}
