// The pages' server list (`?servers=`), in Node: origins in order, http(s) taken as ws(s), paths
// dropped, the page's own server by default or when the list is unusable.
import { describe, expect, it } from 'vitest';
import { ownServer, pageServers, serverLabel } from '../../client/src/net/servers.js';

const HTTP_PAGE = { protocol: 'http:', host: 'gw-a:8080' };
const HTTPS_PAGE = { protocol: 'https:', host: 'gw-a:8443' };

describe('pageServers', () => {
  it("defaults to the page's own server, ws: or wss: after the page's scheme", () => {
    expect(pageServers('', HTTP_PAGE)).toEqual({ servers: ['ws://gw-a:8080'] });
    expect(pageServers('?id=x', HTTPS_PAGE)).toEqual({ servers: ['wss://gw-a:8443'] });
    expect(ownServer(HTTPS_PAGE)).toBe('wss://gw-a:8443');
  });

  it('reads ?servers= in order as ws(s) origins, without paths or repeats', () => {
    const search = `?servers=${encodeURIComponent('wss://a:8080, https://b:8443/phone/,ws://c:1/ws/device,http://d,wss://a:8080/x')}`;
    expect(pageServers(search, HTTP_PAGE)).toEqual({ servers: ['wss://a:8080', 'wss://b:8443', 'ws://c:1', 'ws://d'] });
    expect(serverLabel('wss://b:8443')).toBe('b:8443');
  });

  it('falls back to its own server, saying why, when the list is unusable', () => {
    expect(pageServers('?servers=ftp://x', HTTP_PAGE)).toEqual({ servers: ['ws://gw-a:8080'], problem: "?servers= ignored: server 'ftp://x' must start with ws:// or wss:// or http:// or https://" });
    expect(pageServers('?servers=', HTTP_PAGE)).toEqual({ servers: ['ws://gw-a:8080'], problem: '?servers= ignored: no server given' });
  });
});
