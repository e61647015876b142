// The WebSocket close codes of every endpoint, defined once: the server closes with them, the
// clients, simulators and benchmarks read them (protocol/README.md#close-codes lists them).
// 1000-1015 are RFC 6455's; 4000-4999 are Sensorium's own.

export const CloseCode = {
  /** A client is done (simulators, benchmarks, the browser's socket when stopped). */
  normal: 1000,
  /** The server shuts down (after device pipelines finish and their last predictions are sent). */
  goingAway: 1001,
  /** Never sent: a close frame without a code (reported by ws). */
  noStatus: 1005,
  /** Never sent: the link was lost without a close frame (reported by ws and browsers); a device session waits for a reconnect. */
  abnormal: 1006,
  /** Policy: no valid hello / subscribe in time, a missing or invalid token, a client that reads too slowly. */
  policy: 1008,
  /** A frame larger than the endpoint's limit (before a token: smaller limits); ws sends it for maxPayload. */
  tooBig: 1009,
  /** An internal error ended the device's session. */
  internalError: 1011,
  /** Try again later: too many connections, devices or dashboards, the server is overloaded, the HAR model is unavailable. */
  tryAgainLater: 1013,
  /** `/ws/text`: idle for longer than `--text-idle-ms`. */
  textIdle: 4000,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
