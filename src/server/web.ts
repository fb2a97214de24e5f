/**
 * The browser side of the server. When the React app is built (`src/web/dist`), it is served at
 * `/`, with its client-side routes (`/portal…`, `/offers/…`, `/operator…`) answered by its index.html. Until
 * then a small server-rendered storefront stands in: `/` lists the live offers, `/offers/{key}`
 * shows one (a preview with `?subscription=<id>` for its audience), `/portal` points at the API.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/context.ts';
import { getCatalogOffer, listCatalogOffers, parseCatalogKey, type CatalogOffer, type CatalogOfferSummary } from '../catalog/storefront.ts';

/** Where the built web app lives. */
export const WEB_DIST = fileURLToPath(new URL('../web/dist/', import.meta.url));

export async function installWeb(app: FastifyInstance, ctx: AppContext, distDir = WEB_DIST): Promise<void> {
  // every answer, not only the app's files: the stand-in pages, the 404 page and error answers
  // too, so no page this server writes runs an injected script or can be framed
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) if (!reply.hasHeader(name)) reply.header(name, value);
    return payload;
  });
  if (existsSync(`${distDir}/index.html`)) {
    await app.register(fastifyStatic, { root: distDir, prefix: '/', wildcard: false, index: ['index.html'], setHeaders: webHeaders });
    const spa = { schema: { hide: true } };
    for (const route of ['/portal', '/portal/*', '/offers/*', '/operator', '/operator/*']) app.get(route, spa, (_request, reply) => reply.sendFile('index.html'));
    return;
  }
  const html = { schema: { hide: true } };
  // the stand-in's styles as a file of this server: the policy allows no inline style
  app.get(FALLBACK_CSS_PATH, html, async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(FALLBACK_CSS));
  app.get('/', html, async (_request, reply) => {
    const offers = (await listCatalogOffers(ctx.db)).rows;
    return reply.type('text/html; charset=utf-8').send(page('vmarket storefront', storefront(offers)));
  });
  app.get<{ Params: { key: string }; Querystring: { subscription?: string } }>('/offers/:key', html, async (request, reply) => {
    const key = parseCatalogKey(request.params.key);
    const offer = key ? await getCatalogOffer(ctx.db, key.publisherId, key.offerId, request.query.subscription) : undefined;
    if (!offer) return reply.code(404).type('text/html; charset=utf-8').send(page('Not found', '<p>This offer is not in the catalogue.</p><p><a href="/">All offers</a></p>'));
    return reply.type('text/html; charset=utf-8').send(page(offer.title, offerPage(offer)));
  });
  app.get('/portal', html, async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .send(
        page(
          'vmarket publisher portal',
          '<p>The web portal is not built on this server. Publish with the <code>vmarket</code> CLI or the ' +
            '<a href="/api/v1/openapi.json">HTTP API</a>.</p><p><a href="/">Storefront</a></p>',
        ),
      ),
  );
}

/**
 * The app's scripts and styles come only from this server and it talks only to this server, so
 * the policy forbids everything else: an injected script could neither run nor send data away.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // the test drive's terminal (xterm.js) writes its measures and colours into <style> elements it
  // creates; style attributes in markup stay refused, and scripts stay 'self' only
  "style-src-elem 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The headers every answer carries (the app's files, the stand-in pages, errors). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

/** Hashed assets never change under their name; index.html must be fetched anew each time. */
function webHeaders(reply: { header(name: string, value: string): unknown }, filePath: string): void {
  reply.header('cache-control', filePath.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
}

const FALLBACK_CSS_PATH = '/vmarket-fallback.css';
const FALLBACK_CSS = `body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
li{margin:.5rem 0}.muted{color:#666}.text{white-space:pre-wrap}table{border-collapse:collapse}td,th{padding:.25rem .75rem;border-bottom:1px solid #ddd;text-align:left}
`;

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<link rel="stylesheet" href="${FALLBACK_CSS_PATH}">
</head><body><h1>${escape(title)}</h1>
${body}
<p class="muted"><a href="/api/v1/openapi.json">API (OpenAPI)</a> · <a href="/portal">Publisher portal</a></p>
</body></html>`;
}

function storefront(offers: CatalogOfferSummary[]): string {
  if (offers.length === 0) return '<p>No offers are live yet.</p>';
  const items = offers.map(
    (o) => `<li><a href="/offers/${encodeURIComponent(o.id)}">${escape(o.title)}</a> <span class="muted">by ${escape(o.publisher)}</span><br>${escape(o.summary)}</li>`,
  );
  return `<ul>${items.join('\n')}</ul>`;
}

function offerPage(offer: CatalogOffer): string {
  const plans = offer.plans.map((p) => {
    const pricing = p.pricing.model === 'hourly' && typeof p.pricing.hourlyUsd === 'number' ? `hourly, $${p.pricing.hourlyUsd}/h` : String(p.pricing.model ?? '');
    return `<tr><td>${escape(p.title || p.id)}</td><td>${escape(p.os.name ?? '')}</td><td>${escape(p.regions.join(', '))}</td><td>${escape(pricing)}</td><td>${escape(p.version)}</td></tr>`;
  });
  const support = [offer.support.name, offer.support.email, offer.support.url].filter(Boolean).map((s) => escape(String(s)));
  return [
    offer.preview ? '<p><strong>Preview</strong>: visible to its preview audience only.</p>' : '',
    `<p>${escape(offer.summary)}</p>`,
    `<p class="text">${escape(offer.description)}</p>`,
    `<p class="muted">Publisher: ${escape(offer.publisher)} · Categories: ${escape(offer.categories.join(', '))}</p>`,
    `<table><tr><th>Plan</th><th>OS</th><th>Regions</th><th>Pricing</th><th>Version</th></tr>${plans.join('')}</table>`,
    support.length ? `<p>Support: ${support.join(' · ')}</p>` : '',
    `<p class="muted">Acquire through the API: <code>POST /api/v1/catalog/offers/${escape(offer.id)}/acquire</code></p>`,
    '<p><a href="/">All offers</a></p>',
  ].join('\n');
}
