/**
 * The public simplestreams mirror (issue 13), its root the server's root: `streams/v1/index.json`
 * and `index.sjson`, one products document per content id (`.json` and `.sjson`), the OpenPGP key
 * that signs the `.sjson` files, and the item paths. The mirror lists metadata to everyone; its
 * item paths hand out no bytes (nobody acquired anything here): they answer 403 naming how to
 * get entitled. Documents carry a strong ETag and Last-Modified so a mirror polling them
 * downloads only what changed.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { ACQUIRED_MIRROR_ROUTE, acquiredItem, acquiredStreamSlot, verifyMirrorGrant } from '../../catalog/acquired-mirror.ts';
import { findAcquisition } from '../../catalog/acquisitions.ts';
import { recordDownload } from '../../catalog/download-counts.ts';
import { downloadLinkKey } from '../../catalog/download-links.ts';
import { customerOf } from '../../catalog/downloads.ts';
import { mirrorFile, publicMirrorFile } from '../../catalog/streams-source.ts';
import { S3BlobStore } from '../../storage/s3-store.ts';
import { serveStoredObject } from '../serve-object.ts';
import { streamSigningKey } from '../../catalog/streams-key.ts';
import { ITEMS_DIR, parseStreamItemPath, STREAMS_DIR, STREAMS_KEY_FILE } from '../../catalog/streams.ts';
import { catalogKey } from '../../catalog/storefront.ts';
import { VmarketError } from '../../errors.ts';
import type { Phrase } from '../../i18n/localized.ts';
import { say } from '../../i18n/localized.ts';
import type { ZodApp } from '../schemas.ts';


const notEntitled: Phrase<[path: string, offer: string, plan: string]> = {
  en: (path, offer, plan) =>
    `The public mirror lists metadata only and serves no image bytes (${path}): acquire the plan ${plan} of ${offer} (POST /api/v1/catalog/offers/${offer}/acquire) and download the image from your acquisition.`,
  de: (path, offer, plan) =>
    `Der öffentliche Mirror listet nur Metadaten und liefert keine Image-Daten (${path}): Erwerben Sie den Plan ${plan} von ${offer} (POST /api/v1/catalog/offers/${offer}/acquire) und laden Sie das Image aus Ihrem Erwerb herunter.`,
};
const notAnItem: Phrase<[path: string]> = {
  en: (path) => `There is no item ${path} in this mirror; item paths are listed in ${STREAMS_DIR}/index.json.`,
  de: (path) => `Es gibt kein Element ${path} in diesem Mirror; die Pfade der Elemente stehen in ${STREAMS_DIR}/index.json.`,
};
const noDocument: Phrase<[name: string]> = {
  en: (name) => `There is no simplestreams document ${STREAMS_DIR}/${name}; the index ${STREAMS_DIR}/index.json lists them.`,
  de: (name) => `Es gibt kein Simplestreams-Dokument ${STREAMS_DIR}/${name}; der Index ${STREAMS_DIR}/index.json listet sie auf.`,
};

const documentParams = z.object({
  document: z
    .string()
    .max(300)
    .regex(/^[^/]+\.s?json$/)
    .describe('<content_id>.json or <content_id>.sjson'),
});

const JSON_TYPE = 'application/json; charset=utf-8';
// a cleartext-signed message is text: gpg reads it as is, a browser shows it
const SIGNED_TYPE = 'text/plain; charset=utf-8';

/** Sends `body` with validators; 304 when the client's copy is current. */
function send(request: FastifyRequest, reply: FastifyReply, body: string, type: string, modified: Date, cacheControl: string) {
  const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
  const lastModified = new Date(Math.floor(modified.getTime() / 1000) * 1000);
  reply.header('etag', etag).header('last-modified', lastModified.toUTCString()).header('cache-control', cacheControl);
  const ifNoneMatch = request.headers['if-none-match'];
  const ifModifiedSince = request.headers['if-modified-since'];
  const fresh =
    ifNoneMatch !== undefined
      ? ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*')
      : ifModifiedSince !== undefined && !Number.isNaN(Date.parse(ifModifiedSince)) && Date.parse(ifModifiedSince) >= lastModified.getTime();
  if (fresh) return reply.code(304).send();
  return reply.type(type).send(body);
}

export function streamsRoutes(app: ZodApp, ctx: AppContext): void {
  const serve = async (request: FastifyRequest, reply: FastifyReply, name: string) => {
    const file = await publicMirrorFile(ctx, name);
    if (!file) throw new VmarketError('NOT_FOUND', say(noDocument, name));
    return send(request, reply, file.body, file.signed ? SIGNED_TYPE : JSON_TYPE, file.modified, 'public, max-age=60');
  };

  app.get(`/${STREAMS_DIR}/index.json`, { schema: { summary: 'The simplestreams index (index:1.0) of the live catalogue', tags: ['streams'] } }, (request, reply) =>
    serve(request, reply, 'index.json'),
  );

  app.get(`/${STREAMS_DIR}/index.sjson`, { schema: { summary: 'The simplestreams index, OpenPGP cleartext-signed', tags: ['streams'] } }, (request, reply) =>
    serve(request, reply, 'index.sjson'),
  );

  app.get(`/${STREAMS_KEY_FILE}`, { schema: { summary: 'The OpenPGP public key that signs the .sjson documents (armored)', tags: ['streams'] } }, async (request, reply) => {
    const key = await streamSigningKey(ctx.db);
    return send(request, reply, key.publicKeyArmored, 'application/pgp-keys', key.createdAt, 'public, max-age=3600');
  });

  app.get(
    `/${STREAMS_DIR}/:document`,
    { schema: { summary: 'One products:1.0 document (.json) or its signed form (.sjson)', tags: ['streams'], params: documentParams } },
    (request, reply) => serve(request, reply, request.params.document),
  );

  // GET, and HEAD with it: a mirror asks for an item's size first
  app.get(`/${ITEMS_DIR}/*`, { schema: { summary: 'An item path of the public mirror: 403, acquire the plan to download', tags: ['streams'] } }, async (request, reply) => {
    const path = `${ITEMS_DIR}/${(request.params as { '*': string })['*']}`;
    reply.header('cache-control', 'no-store');
    const item = parseStreamItemPath(path);
    if (!item) throw new VmarketError('NOT_FOUND', say(notAnItem, path));
    throw new VmarketError('FORBIDDEN', say(notEntitled, path, catalogKey(item.publisherId, item.offerId), item.planId));
  });

  // an acquisition's own mirror: the same documents for the version it acquired, and its items' bytes
  const mirrorKey = downloadLinkKey(ctx.secretKey);
  const mirrorParams = z.object({ acquisition: z.string().min(1).max(100), expires: z.string().max(20), signature: z.string().max(100) });
  const entitled = async (params: z.infer<typeof mirrorParams>) => {
    const id = verifyMirrorGrant(mirrorKey, params);
    const acquisition = await findAcquisition(ctx.db, id);
    if (!acquisition) throw new VmarketError('NOT_FOUND', `The acquisition ${id} of this mirror no longer exists.`);
    return acquisition;
  };
  const root = `${ACQUIRED_MIRROR_ROUTE}/:acquisition/:expires/:signature`;

  app.get(
    `${root}/${STREAMS_DIR}/:document`,
    {
      schema: {
        summary: 'An acquisition\'s simplestreams mirror: index.json, index.sjson and its products documents (.json, .sjson)',
        tags: ['streams'],
        params: mirrorParams.extend({ document: documentParams.shape.document }),
      },
    },
    async (request, reply) => {
      const { document, ...grant } = request.params;
      const acquisition = await entitled(grant);
      const file = await mirrorFile(ctx, [await acquiredStreamSlot(ctx, acquisition)], document);
      if (!file) throw new VmarketError('NOT_FOUND', say(noDocument, document));
      return send(request, reply, file.body, file.signed ? SIGNED_TYPE : JSON_TYPE, file.modified, 'private, no-store');
    },
  );

  app.route({
    method: ['GET', 'HEAD'],
    url: `${root}/${ITEMS_DIR}/*`,
    schema: { summary: 'An item of an acquisition\'s mirror: the file (ranges, ETag), or a redirect to a presigned URL for an S3 region', tags: ['streams'], params: mirrorParams.extend({ '*': z.string().max(400) }) },
    handler: async (request, reply) => {
      const { '*': rest, ...grant } = request.params;
      const acquisition = await entitled(grant);
      const item = await acquiredItem(ctx, acquisition, `${ITEMS_DIR}/${rest}`);
      const key = { ...customerOf(acquisition), region: item.region };
      if (item.store instanceof S3BlobStore) {
        // the bytes come straight from the bucket: counted when the URL is handed out, like an S3 download link
        if (request.method === 'GET') await recordDownload(ctx.db, key, { downloads: 1, bytes: item.size });
        return reply.redirect(await item.store.presignedGetUrl(item.sha256, ctx.config.downloads.urlTtlSeconds, item.fileName), 302);
      }
      const size = await item.store.size(item.sha256);
      if (size === null) throw new VmarketError('NOT_FOUND', `The file ${item.fileName} is no longer stored in ${item.region}.`);
      return serveStoredObject(request, reply, { store: item.store, sha256: item.sha256, size, fileName: item.fileName }, (served) => {
        if (served.start !== 0 && served.bytes === 0) return;
        recordDownload(ctx.db, key, { downloads: served.start === 0 ? 1 : 0, bytes: served.bytes }).catch((error) =>
          request.log.warn({ err: error, acquisitionId: acquisition.id }, 'mirror download not counted'),
        );
      });
    },
  });
}
