// Which token scope each route needs, in one table (scopes: auth.ts). Devices stream; viewers
// watch dashboards and read recordings, metrics and the demos; admins change things (start, stop
// or delete recordings, calibrate other devices). Pages need a valid token of any scope: a
// phone holds only its device token and must still load the phone page.
import type { Scope } from './auth.js';

/** 'any': a valid token of any scope. */
export type RouteScope = Scope | 'any';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

interface Rule {
  /** Path prefix ('/api/recordings' also covers '/api/recordings/x'). */
  prefix: string;
  /** What reading needs and what changing needs. */
  read: RouteScope;
  write: RouteScope;
}

const RULES: readonly Rule[] = [
  { prefix: '/api/sensor-logger', read: 'device', write: 'device' },
  { prefix: '/api/recordings', read: 'viewer', write: 'admin' },
  { prefix: '/api/calibration', read: 'viewer', write: 'admin' },
  { prefix: '/metrics', read: 'viewer', write: 'admin' },
  // Every other API (text, image lab): viewers.
  { prefix: '/api', read: 'viewer', write: 'viewer' },
];

/** WebSocket endpoints: devices stream, everything else is watching. */
const SOCKETS: Readonly<Record<string, Scope>> = { '/ws/device': 'device' };

/** The scope an HTTP request needs (pages and other static files: any valid token). */
export function httpScope(method: string, path: string): RouteScope {
  for (const rule of RULES) {
    if (path === rule.prefix || path.startsWith(`${rule.prefix}/`)) return READ_METHODS.has(method) ? rule.read : rule.write;
  }
  return 'any';
}

/** The scope a WebSocket endpoint needs. */
export function socketScope(path: string): Scope {
  return SOCKETS[path] ?? 'viewer';
}
