// Serves the browser client (client/dist, built by `npm run build:client`) at `/`: the
// dashboard at /, and /phone/, /typing/, /lab/. Hashed assets are cached for a
// year, HTML is revalidated on every load. Without a build, the pages answer with a short HTML
// page saying how to build the client instead of a bare 404.
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_CLIENT_DIST = fileURLToPath(new URL('../../client/dist/', import.meta.url));

/** The client's pages (directories in client/dist holding an index.html). */
export const CLIENT_PAGES = ['/', '/phone/', '/typing/', '/lab/', '/recordings/', '/models/'] as const;

export interface ClientStaticOptions {
  /** Folder of the built client (default client/dist). */
  distDir?: string;
}

export const clientStaticPlugin: FastifyPluginAsync<ClientStaticOptions> = async (app, opts) => {
  const distDir = opts.distDir ?? DEFAULT_CLIENT_DIST;
  if (!existsSync(join(distDir, 'index.html'))) {
    app.log.warn(`browser client not built (${distDir} has no index.html): run \`npm run build:client\``);
    for (const page of CLIENT_PAGES) {
      app.get(page, async (_req, reply) => reply.code(503).type('text/html; charset=utf-8').send(notBuiltPage(distDir)));
    }
    return;
  }
  await app.register(fastifyStatic, {
    root: distDir,
    prefix: '/',
    index: ['index.html'],
    redirect: true, // /phone -> /phone/
    schemaHide: false, // listed in /api/openapi.json like every route
    // Source maps are built for debugging; the rest of dist is public anyway.
    setHeaders: (reply, path) => {
      const immutable = path.includes(`${sep}assets${sep}`);
      reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
};

function notBuiltPage(distDir: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sensorium · client not built</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1b1e24;line-height:1.5}code{background:#eef0f4;padding:0.1rem 0.3rem;border-radius:4px}</style>
</head><body>
<h1>The browser client is not built yet</h1>
<p>The server is running (see <a href="/api/health">/api/health</a>), but <code>${escapeHtml(distDir)}</code> holds no build.</p>
<p>Build it with <code>npm run build:client</code>, then restart the server. (<code>npm start</code> builds it automatically when it is missing or out of date.)</p>
</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
