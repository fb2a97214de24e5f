/**
 * Entitled downloads (docs/contracts.md §5 "Downloads"): a customer reads an acquisition back
 * with fresh links (`X-Acquisition-Token`), a signed link of a file-system region is served
 * (GET/HEAD with ranges, src/server/serve-object.ts) and counted, and a publisher reads the
 * counts of an offer.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { downloadablePackage, findAcquisition, readAcquisition } from '../../catalog/acquisitions.ts';
import { offerDownloadCounts, recordDownload } from '../../catalog/download-counts.ts';
import { DOWNLOAD_ROUTE, downloadLinkKey, verifyDownloadGrant } from '../../catalog/download-links.ts';
import { customerOf } from '../../catalog/downloads.ts';
import { acquisitionSchema, downloadCountsSchema } from '../../contracts/index.ts';
import { VmarketError } from '../../errors.ts';
import { authorizePublisher } from '../auth.ts';
import { API, bearer, errorResponses, offerParams, shaped, type ZodApp } from '../schemas.ts';
import { serveStoredObject } from '../serve-object.ts';

export const ACQUISITION_TOKEN_HEADER = 'x-acquisition-token';

const tokenHeader = z.looseObject({
  [ACQUISITION_TOKEN_HEADER]: z.string().min(1).max(200).optional().describe('The token the acquire answered (acquisition.token).'),
});

const downloadParams = z.object({
  region: z.string().min(1).max(50),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  fileName: z.string().min(1).max(300),
});
const downloadQuery = z.object({
  acquisition: z.string().max(100).optional(),
  expires: z.string().max(20).optional(),
  signature: z.string().max(100).optional(),
});

function tokenOf(request: FastifyRequest): string | undefined {
  const token = request.headers[ACQUISITION_TOKEN_HEADER];
  return typeof token === 'string' && token.length > 0 ? token : undefined;
}

export function downloadRoutes(app: ZodApp, ctx: AppContext): void {
  const linkKey = downloadLinkKey(ctx.secretKey);

  app.get(
    `${API}/catalog/acquisitions/:id`,
    {
      schema: {
        summary: 'An acquisition with fresh download links (the version acquired, even after a newer one went live)',
        tags: ['catalog'],
        params: z.object({ id: z.string().min(1).max(100) }),
        headers: tokenHeader,
        response: { 200: acquisitionSchema, ...errorResponses },
      },
    },
    async (request) => shaped(acquisitionSchema, await readAcquisition(ctx, request.params.id, tokenOf(request))),
  );

  app.route({
    method: ['GET', 'HEAD'],
    url: `${DOWNLOAD_ROUTE}/:region/:sha256/:fileName`,
    schema: {
      summary: 'A signed download link of a file-system region: the file, with Range, If-Range, ETag (its SHA-256)',
      description: '403 for a changed or expired link. Each GET from byte 0 counts as a download; the bytes sent are summed.',
      tags: ['catalog'],
      params: downloadParams,
      querystring: downloadQuery,
    },
    handler: async (request, reply) => {
      const grant = verifyDownloadGrant(linkKey, { ...request.params, ...request.query });
      const acquisition = await findAcquisition(ctx.db, grant.acquisitionId);
      // a signed link names an acquisition this marketplace wrote; none means the data was removed
      if (!acquisition) throw new VmarketError('NOT_FOUND', `The acquisition ${grant.acquisitionId} of this link no longer exists.`);
      await downloadablePackage(ctx.db, acquisition);
      const store = ctx.regions.get(grant.region)?.store;
      const size = store ? await store.size(grant.sha256) : null;
      if (!store || size === null) throw new VmarketError('NOT_FOUND', `The file ${grant.fileName} is no longer stored in ${grant.region}.`);
      return serveStoredObject(request, reply, { store, sha256: grant.sha256, size, fileName: grant.fileName }, (served) => {
        if (served.start !== 0 && served.bytes === 0) return;
        recordDownload(ctx.db, { ...customerOf(acquisition), region: grant.region }, { downloads: served.start === 0 ? 1 : 0, bytes: served.bytes }).catch((error) =>
          request.log.warn({ err: error, acquisitionId: acquisition.id }, 'download not counted'),
        );
      });
    },
  });

  app.get(
    `${API}/publishers/:pub/offers/:offer/downloads`,
    {
      schema: {
        summary: 'The offer\'s downloads per plan, region and customer (subscription), with totals',
        tags: ['catalog'],
        security: bearer,
        params: offerParams,
        response: { 200: downloadCountsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { pub, offer } = request.params;
      await authorizePublisher(ctx, request, pub);
      return offerDownloadCounts(ctx.db, pub, offer);
    },
  );
}
