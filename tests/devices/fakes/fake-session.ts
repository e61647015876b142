// A DeviceSession as the session store and a device connection see it: attach/detach/close and
// what a connection hands it, all recorded. `hangOnClose` makes close() never finish (a pipeline
// stuck at shutdown); `pushThrows` makes push() throw (a bug in a handler).
import type { DeviceInfo, HelloMessage, WelcomeMessage } from '../../../protocol/sensor-messages.js';
import type { DeviceSession, DeviceSessionOptions, HeldPrediction } from '../../../server/devices/device-session.js';

export class FakeSession {
  readonly info: DeviceInfo;
  readonly pushed: unknown[] = [];
  readonly calibrationCommands: unknown[] = [];
  readonly calibration = { command: (value: unknown) => void this.calibrationCommands.push(value) };
  /** deliverMissed calls, with their lastWindowEnd. */
  readonly missed: (number | undefined)[] = [];
  readonly connectedAt: number;
  attaches = 0;
  closeCalls = 0;
  closed = false;
  hangOnClose = false;
  /** What held() reports (a snapshot of the session carries it); bump `version` when it changes. */
  heldPredictions: HeldPrediction[] = [];
  version = 0;
  pushThrows: Error | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    hello: HelloMessage,
    private opts: DeviceSessionOptions | undefined,
    connectedAt = Date.now(),
  ) {
    this.info = { deviceId: hello.deviceId, rateHz: hello.rateHz, units: hello.units, placement: hello.placement ?? 'unknown', connectedAt };
    this.connectedAt = connectedAt;
  }

  /** This fake where the code under test wants the real class (it uses only what is here). */
  get asSession(): DeviceSession {
    return this as unknown as DeviceSession;
  }

  get attached(): boolean {
    return this.opts !== undefined;
  }

  /** The options of the connection it is attached to now. */
  get connection(): DeviceSessionOptions | undefined {
    return this.opts;
  }

  compatibleWith(hello: HelloMessage): boolean {
    return hello.units === this.info.units && hello.rateHz === this.info.rateHz;
  }

  attach(opts: DeviceSessionOptions): void {
    this.attaches++;
    this.opts = opts;
  }

  detach(): void {
    this.opts = undefined;
  }

  close(): Promise<void> {
    this.closeCalls++;
    this.closed = true;
    this.closing ??= this.hangOnClose ? new Promise<void>(() => {}) : Promise.resolve();
    return this.closing;
  }

  welcome(resumed = false): WelcomeMessage {
    const message: WelcomeMessage = {
      type: 'welcome',
      deviceId: this.info.deviceId,
      classes: ['a', 'b'],
      windowSize: 10,
      hop: 10,
      rateHz: 50,
      backend: 'fake',
      limits: { maxFrameBytes: 1 << 20, maxSamplesPerFrame: 2000, minRateHz: 10, maxRateHz: 200, maxAbsG: 16 },
    };
    if (resumed) message.resumed = true;
    return message;
  }

  held(): HeldPrediction[] {
    return this.heldPredictions;
  }

  deliverMissed(lastWindowEnd?: number): void {
    this.missed.push(lastWindowEnd);
  }

  push(value: unknown): void {
    if (this.pushThrows) throw this.pushThrows;
    this.pushed.push(value);
  }
}
