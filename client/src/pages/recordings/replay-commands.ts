// The commands that replay a recording (`npm run simulate -- replay`, simulators/replay.ts): the
// server has no replay route, so the page hands the user a command to run in the repository.
import { shellQuote } from './format.js';

export interface ReplayCommands {
  /** Replays into a server the simulator starts itself, and scores the predictions against the labels. */
  score: string;
  /** Replays into the running server at real time, so the dashboard shows it. */
  stream: string;
}

/** The recording's file on the server's disk (the list route gives the folder; default `recordings/`). */
export function recordingPath(dir: string | undefined, id: string): string {
  const folder = dir ?? 'recordings';
  const sep = /^[A-Za-z]:\\/.test(folder) && !folder.includes('/') ? '\\' : '/';
  return `${folder.replace(/[\\/]+$/, '')}${sep}${id}.ndjson`;
}

export function replayCommands(file: string, deviceUrl: string): ReplayCommands {
  const base = `npm run simulate -- replay --format recording --data ${shellQuote(file)}`;
  return { score: base, stream: `${base} --url ${shellQuote(deviceUrl)} --speed 1` };
}

/** The device id the replay streams under (simulators/replay.ts names devices `replay-<recording>`). */
export function replayDeviceId(recordingId: string): string {
  return `replay-${recordingId}`.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 64);
}
