/**
 * `GET /publishers/{pub}/offers/{offer}/status/events`: the offer's status document as a live
 * stream of Server-Sent Events, for the portal (read with fetch + a stream reader, since
 * EventSource cannot send the Authorization header). The stream starts with `retry: 2000`, sends
 * `event: status` + `data: <the document GET …/status answers>` at once and again whenever the
 * document changes, and a `: keepalive` comment every 15 s so proxies keep it open.
 *
 * Access is checked before the stream starts (401/403/404 answer the contract's JSON error);
 * changes are found by the shared poller of `../status-hub.ts`. Streams end when the client goes
 * away (unsubscribed at once), when the server closes (the preClose hook ends them all, or
 * `app.close()` would wait for them forever), and when the token that opened them stops being
 * valid (rotated, publisher removed): it is checked again every STREAM_TOKEN_CHECK_MS, because a
 * rotation may come from another process. A stream is long-lived work, so one token may hold
 * `limits.streamsPerToken` at once and one offer `limits.streamsPerOffer` (429 beyond).
 */
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import type { Locale } from '../../i18n/locale.ts';
import { localizeTree } from '../../i18n/localize-tree.ts';
import { getOfferStatus } from '../../pipeline/service.ts';
import { hashToken } from '../../app/publishers.ts';
import { VmarketError } from '../../errors.ts';
import { say } from '../../i18n/localized.ts';
import { authorizePublisher, bearerToken, tokenStillValid } from '../auth.ts';
import { tooManyStreamsForOffer, tooManyStreamsForToken } from '../limit-phrases.ts';
import { requestLocale } from '../language.ts';
import { API, bearer, errorResponses, offerParams, type ZodApp } from '../schemas.ts';
import { STATUS_POLL_INTERVAL_MS, StatusHub } from '../status-hub.ts';
import { offerStatusSchema } from '../../contracts/index.ts';

/** How long a browser waits before reconnecting a dropped stream (the `retry:` field). */
export const STATUS_STREAM_RETRY_MS = 2000;
/** How often an idle stream sends a `: keepalive` comment. */
export const STATUS_STREAM_KEEPALIVE_MS = 15_000;
/** How often an open stream checks that its token still acts for the publisher. */
export const STREAM_TOKEN_CHECK_MS = 5_000;

export interface StatusEventOptions {
  /** Milliseconds between two reads of a watched offer (default STATUS_POLL_INTERVAL_MS). */
  pollIntervalMs?: number;
  /** Milliseconds between keepalive comments (default STATUS_STREAM_KEEPALIVE_MS). */
  keepaliveMs?: number;
  /** Milliseconds between two checks of a stream's token (default STREAM_TOKEN_CHECK_MS). */
  tokenCheckMs?: number;
}

/** How many streams are open per key; a key's count goes away with its last stream. */
class OpenCounts {
  readonly #counts = new Map<string, number>();
  get(key: string): number {
    return this.#counts.get(key) ?? 0;
  }
  add(key: string): void {
    this.#counts.set(key, this.get(key) + 1);
  }
  remove(key: string): void {
    const left = this.get(key) - 1;
    if (left > 0) this.#counts.set(key, left);
    else this.#counts.delete(key);
  }
}

/**
 * The document with every language's texts, as the hub compares and shares it: one poller serves
 * subscribers of different languages, and a change in any text is a change for all of them.
 */
async function serializedStatus(ctx: AppContext, publisherId: string, offerId: string): Promise<string> {
  return JSON.stringify(await getOfferStatus(ctx, publisherId, offerId));
}

/** One subscriber's view: in its language, shaped as the status route's serializer writes it. */
function statusIn(json: string, locale: Locale): string {
  return JSON.stringify(offerStatusSchema.parse(localizeTree(JSON.parse(json), locale)));
}

function statusEvent(json: string): string {
  // JSON.stringify never writes a line break, so the document is one `data:` line
  return `event: status\ndata: ${json}\n\n`;
}

export function statusEventRoutes(app: ZodApp, ctx: AppContext, options: StatusEventOptions = {}): StatusHub {
  const keepaliveMs = options.keepaliveMs ?? STATUS_STREAM_KEEPALIVE_MS;
  const tokenCheckMs = options.tokenCheckMs ?? STREAM_TOKEN_CHECK_MS;
  const limits = ctx.config.limits;
  const perToken = new OpenCounts();
  const perOffer = new OpenCounts();
  const hub = new StatusHub((pub, offer) => serializedStatus(ctx, pub, offer), {
    intervalMs: options.pollIntervalMs ?? STATUS_POLL_INTERVAL_MS,
    logger: app.log,
  });
  const open = new Set<() => void>();
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    hub.close();
    for (const end of [...open]) end();
  });

  app.get(
    `${API}/publishers/:pub/offers/:offer/status/events`,
    {
      schema: {
        summary: 'The publishing status as a live stream (Server-Sent Events)',
        description:
          'Answers `text/event-stream`: first `retry: 2000`, then `event: status` with `data:` holding the document of ' +
          '`GET …/status` (one line of JSON), at once and again whenever it changes, and a `: keepalive` comment every 15 s. ' +
          'Errors before the stream starts (401, 403, 404) are the usual JSON error. Send the bearer token in the ' +
          'Authorization header (read the stream with fetch; EventSource cannot send headers).',
        tags: ['publishing'],
        security: bearer,
        params: offerParams,
        response: {
          200: {
            description: 'A stream of `event: status` messages, each `data:` one OfferStatus document as JSON.',
            content: { 'text/event-stream': { schema: z.string() } },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { pub, offer } = request.params;
      const principal = await authorizePublisher(ctx, request, pub);
      const token = bearerToken(request)!;
      const tokenKey = hashToken(token);
      const offerKey = JSON.stringify([pub, offer]);
      const first = await serializedStatus(ctx, pub, offer);
      const locale = requestLocale(request);
      // counted after the awaits, right before the stream opens: nothing can slip in between
      if (perToken.get(tokenKey) >= limits.streamsPerToken) {
        reply.header('retry-after', String(Math.ceil(tokenCheckMs / 1000)));
        throw new VmarketError('RATE_LIMITED', say(tooManyStreamsForToken, limits.streamsPerToken));
      }
      if (perOffer.get(offerKey) >= limits.streamsPerOffer) {
        reply.header('retry-after', String(Math.ceil(tokenCheckMs / 1000)));
        throw new VmarketError('RATE_LIMITED', say(tooManyStreamsForOffer, `${pub}/${offer}`, limits.streamsPerOffer));
      }
      perToken.add(tokenKey);
      perOffer.add(offerKey);

      reply.hijack();
      const res = reply.raw;
      // headers hooks already set (e.g. the rate limit's) go out with the stream
      for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) res.setHeader(name, value);
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        // nginx buffers proxied answers by default, which would hold events back
        'x-accel-buffering': 'no',
      });
      res.write(`retry: ${STATUS_STREAM_RETRY_MS}\n\n`);
      res.write(statusEvent(statusIn(first, locale)));

      const keepalive = setInterval(() => res.write(': keepalive\n\n'), keepaliveMs);
      keepalive.unref();
      const unsubscribe = hub.subscribe(pub, offer, (json) => res.write(statusEvent(statusIn(json, locale))), first);
      const tokenCheck = setInterval(() => {
        void tokenStillValid(ctx, token, principal, pub).then(
          (valid) => valid || end(),
          (error: unknown) => request.log.warn({ err: error }, 'status stream: checking the token failed'),
        );
      }, tokenCheckMs);
      tokenCheck.unref();
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        clearInterval(keepalive);
        clearInterval(tokenCheck);
        perToken.remove(tokenKey);
        perOffer.remove(offerKey);
        unsubscribe();
        open.delete(end);
        if (!res.writableEnded) res.end();
      };
      open.add(end);
      res.on('close', end);
      // a request that got here while the server started closing is not left behind
      if (closing) end();
    },
  );
  return hub;
}
