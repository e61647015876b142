// What a connection that has not shown a token may make the server do: decode a few small
// frames (a hello or a subscribe is small), nothing more. Without this, anyone could send
// 1 MiB frames at the full frame rate and have them parsed before the token is checked.
import type { PreAuthConfig } from '../config.js';

/** Close codes: 1009 (message too big), 1008 (policy). */
export interface PreAuthRefusal {
  code: 1008 | 1009;
  reason: string;
}

export class PreAuthFrames {
  private seen = 0;

  /** `first`: the message that brings the token ('hello', 'subscribe'), for the close reason. */
  constructor(
    private readonly limits: Pick<PreAuthConfig, 'maxFrames' | 'maxFrameBytes'>,
    private readonly first: string,
  ) {}

  /** Undefined when a frame of `bytes` may be decoded; else how to close the connection. */
  admit(bytes: number): PreAuthRefusal | undefined {
    if (bytes > this.limits.maxFrameBytes) return { code: 1009, reason: `frames before a valid ${this.first} must be at most ${this.limits.maxFrameBytes} bytes` };
    if (++this.seen > this.limits.maxFrames) return { code: 1008, reason: `${this.limits.maxFrames} frames without a valid ${this.first}` };
    return undefined;
  }
}
