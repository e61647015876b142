// What a connection that has not shown a token may make the server do: decode a few small
// frames (a hello or a subscribe is small), nothing more. Without this, anyone could send
// 1 MiB frames at the full frame rate and have them parsed before the token is checked.
// A larger frame is refused at its header, before its bytes are read: the socket's ws receiver
// gets the small limit until the token comes (ws checks every frame's announced length against
// it and closes with 1009). That is not public ws API, so it is applied only when the receiver
// looks as expected (tests/server/preauth-limits.test.ts checks it does); admit() below still
// holds the limit on the frames that arrive either way.
import type { WebSocket } from 'ws';
import type { PreAuthConfig } from '../config.js';
import { CloseCode } from '../../protocol/close-codes.js';

/** The part of ws's Receiver that holds the frame-size limit (0 = none). */
type Receiver = { _maxPayload: number };

export interface PreAuthRefusal {
  code: typeof CloseCode.tooBig | typeof CloseCode.policy;
  reason: string;
}

export class PreAuthFrames {
  private seen = 0;
  /** The socket's receiver while its limit is lowered, and the limit to give back. */
  private lowered: { receiver: Receiver; maxPayload: number } | undefined;

  /** `first`: the message that brings the token ('hello', 'subscribe'), for the close reason. */
  constructor(
    private readonly limits: Pick<PreAuthConfig, 'maxFrames' | 'maxFrameBytes'>,
    private readonly first: string,
    ws?: WebSocket,
  ) {
    const receiver = (ws as unknown as { _receiver?: Partial<Receiver> } | undefined)?._receiver;
    const max = receiver?._maxPayload;
    if (receiver && typeof max === 'number' && (max === 0 || max > limits.maxFrameBytes)) {
      this.lowered = { receiver: receiver as Receiver, maxPayload: max };
      receiver._maxPayload = limits.maxFrameBytes;
    }
  }

  /** The token came: frames may again be as large as the endpoint allows. */
  lift(): void {
    if (this.lowered) this.lowered.receiver._maxPayload = this.lowered.maxPayload;
    this.lowered = undefined;
  }

  /** Undefined when a frame of `bytes` may be decoded; else how to close the connection. */
  admit(bytes: number): PreAuthRefusal | undefined {
    if (bytes > this.limits.maxFrameBytes) return { code: CloseCode.tooBig, reason: `frames before a valid ${this.first} must be at most ${this.limits.maxFrameBytes} bytes` };
    if (++this.seen > this.limits.maxFrames) return { code: CloseCode.policy, reason: `${this.limits.maxFrames} frames without a valid ${this.first}` };
    return undefined;
  }
}
