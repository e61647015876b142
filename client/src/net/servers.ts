// The servers (gateways) a page may use: `?servers=wss://a:8080,wss://b:8080` lists them in the
// order to try; without it, the server that served the page. Each entry is a ws(s):// or
// http(s):// origin (a path is ignored: pages add their own, e.g. /ws/device).
//
// A browser page on gateway A that fails over to gateway B is a cross-origin WebSocket for B:
// B must allow A's origin (--allowed-origins), or the gateways must share one host name (behind
// a load balancer).
import { parseServerList } from '../../../protocol/server-rotation.js';

export interface PageServers {
  /** ws:// or wss:// origins, at least one. */
  servers: string[];
  /** Why `?servers=` was not used, when it was given but unusable. */
  problem?: string;
}

/** The page's own origin as a WebSocket origin (ws: for http:, wss: for https:). */
export function ownServer(loc: Pick<Location, 'protocol' | 'host'> = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}`;
}

export function pageServers(search: string = window.location.search, loc: Pick<Location, 'protocol' | 'host'> = window.location): PageServers {
  const given = new URLSearchParams(search).get('servers');
  if (given === null) return { servers: [ownServer(loc)] };
  try {
    const urls = parseServerList(given, ['ws:', 'wss:', 'http:', 'https:'], 'server');
    const origins = urls.map((u) => new URL(u)).map((u) => `${u.protocol === 'https:' || u.protocol === 'wss:' ? 'wss:' : 'ws:'}//${u.host}`);
    return { servers: [...new Set(origins)] };
  } catch (err) {
    return { servers: [ownServer(loc)], problem: `?servers= ignored: ${(err as Error).message}` };
  }
}

/** host:port of a server origin, for "connected to …" lines. */
export function serverLabel(server: string): string {
  try {
    return new URL(server).host;
  } catch {
    return server;
  }
}
