// GET /api/phone-link: where a phone on the LAN opens the phone page, as URLs and QR codes, for
// the dashboard's "connect a phone" panel. Viewer scope, like every /api read. The URLs carry the
// caller's own token only when that token may stream (device or admin scope): the panel never
// shows a token to someone who does not already hold it, nor lends a viewer streaming rights.
import type { FastifyPluginAsync } from 'fastify';
import type { AddressInfo } from 'node:net';
import { lanAddresses, phonePageUrls } from '../phone-link/phone-urls.js';
import { svgQr } from '../phone-link/qr-code.js';
import type { Auth } from '../security/auth.js';

export const PHONE_LINK_PATH = '/api/phone-link';

export interface PhoneLinkPluginOptions {
  /** The bind host (--host): loopback hosts have no LAN URLs. */
  host: string;
  /** HTTPS (phones need it for motion sensors). */
  secure: boolean;
  auth: Pick<Auth, 'tokenOf' | 'identify' | 'required'>;
}

const responseSchema = {
  type: 'object',
  required: ['links', 'tokenIncluded', 'secure'],
  properties: {
    links: {
      type: 'array',
      items: { type: 'object', required: ['url', 'svg'], properties: { url: { type: 'string' }, svg: { type: 'string' } } },
    },
    tokenIncluded: { type: 'boolean' },
    secure: { type: 'boolean' },
    /** Why there are no links, or what the phone still needs. */
    note: { type: 'string' },
  },
} as const;

export const phoneLinkPlugin: FastifyPluginAsync<PhoneLinkPluginOptions> = async (app, opts) => {
  app.get(PHONE_LINK_PATH, { schema: { description: 'LAN URLs of the phone page with QR codes (SVG), for the dashboard', response: { 200: responseSchema } } }, async (req) => {
    const addresses = lanAddresses(opts.host);
    if (addresses.length === 0) {
      return { links: [], tokenIncluded: false, secure: opts.secure, note: `the server listens on ${opts.host} only: start it with --host 0.0.0.0 for phones on the LAN` };
    }
    const token = opts.auth.required ? opts.auth.tokenOf(req.raw) : undefined;
    const mayStream = token !== undefined && (opts.auth.identify(token)?.scopes.has('device') ?? false);
    const port = (app.server.address() as AddressInfo).port;
    const urls = phonePageUrls(addresses, port, opts.secure, mayStream ? token : undefined);
    const links = await Promise.all(urls.map(async (url) => ({ url, svg: await svgQr(url) })));
    const notes = [
      ...(opts.auth.required && !mayStream ? ['add ?token=<a device token> to the URL: your token cannot stream'] : []),
      ...(opts.secure ? [] : ['without HTTPS (--tls-self-signed) phone browsers do not give motion sensors to the page']),
    ];
    return { links, tokenIncluded: mayStream, secure: opts.secure, ...(notes.length > 0 ? { note: notes.join('; ') } : {}) };
  });
};
