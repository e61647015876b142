// What the phone remembers across the reconnects of one streaming run (Start … Stop), so the
// server can resume its session (server/README.md, "Reconnects"): the rate the session was opened
// with (a hello with another rate starts a new session) and the windowEnd of the last prediction
// received (`hello.lastWindowEnd`: the server re-sends the predictions after it).
import type { HelloMessage, PredictionMessage, WelcomeMessage } from '../../../../protocol/sensor-messages.js';

/** first: the run's first connection; resumed: the server continued the session; restarted: it began a new one. */
export type WelcomeKind = 'first' | 'resumed' | 'restarted';

export type HelloBase = Omit<HelloMessage, 'type' | 'rateHz' | 'lastWindowEnd'>;

export class StreamSession {
  private rateHz: number | undefined;
  private lastEnd: number | undefined;
  /** Hellos sent in this run. */
  private hellos = 0;
  /** Connections the server resumed in this run. */
  resumes = 0;

  /** `windowEnd` of the newest prediction received in this session. */
  get lastWindowEnd(): number | undefined {
    return this.lastEnd;
  }

  /** Is the current connection a reconnect (not the run's first)? */
  get isReconnect(): boolean {
    return this.hellos > 1;
  }

  /** The hello for a new connection: the session's first rate, and the last prediction seen. */
  hello(base: HelloBase, currentRateHz: number): HelloMessage {
    this.rateHz ??= currentRateHz;
    const hello: HelloMessage = { type: 'hello', ...base, rateHz: this.rateHz };
    if (this.lastEnd !== undefined) hello.lastWindowEnd = this.lastEnd;
    this.hellos++;
    return hello;
  }

  welcomed(welcome: WelcomeMessage): WelcomeKind {
    if (welcome.resumed) {
      this.resumes++;
      return 'resumed';
    }
    // A new session: the old one's windows are not continued, nor re-sent.
    this.lastEnd = undefined;
    return this.hellos > 1 ? 'restarted' : 'first';
  }

  /** Records a prediction; false for one already seen (not newer than the last), to be ignored. */
  accept(prediction: PredictionMessage): boolean {
    if (this.lastEnd !== undefined && !(prediction.windowEnd > this.lastEnd)) return false;
    this.lastEnd = prediction.windowEnd;
    return true;
  }

  /** Stop: the next Start is a new run. */
  end(): void {
    this.rateHz = undefined;
    this.lastEnd = undefined;
    this.hellos = 0;
    this.resumes = 0;
  }
}
