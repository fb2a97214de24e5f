/**
 * Shared pieces of the server tests: a valid offer with a real (small) image file in the server's
 * import dir, and published slots written the way the pipeline writes them (`setLiveSlot` /
 * `setPreviewSlot` in one transaction, packages signed with the server's own key).
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DbSigningKeyStore } from '../../src/catalog/key-store.ts';
import { getOrCreateSigningKey, signPackage } from '../../src/catalog/signing.ts';
import { setLiveSlot, setPreviewSlot } from '../../src/offers/repository.ts';
import type { PlanPackage, SlotDocument } from '../../src/pipeline/packages.ts';
import type { TestServer } from '../helpers/server.ts';
import { offerDocument, type OfferOptions } from '../pipeline/helpers.ts';

export { AUDIENCE } from '../pipeline/helpers.ts';

/** A small file standing for a disk image: validation only needs it to exist inside the import dir. */
export async function imageFile(server: TestServer, name = 'os.vhd'): Promise<string> {
  const file = path.join(server.importDir, name);
  await writeFile(file, Buffer.alloc(4096, name));
  return file;
}

/** A valid offer document (CONTRACTS §2) whose OS disk is a file in the server's import dir. */
export async function validOffer(server: TestServer, options: Partial<OfferOptions> & { id: string; publisher: string }): Promise<Record<string, unknown>> {
  const osDisk = options.osDisk ?? (await imageFile(server));
  return offerDocument({ ...options, osDisk });
}

/**
 * Creates the offer's draft through the API, then writes a published slot for it with a signed
 * package per plan, exactly as the pipeline's package/live steps store them.
 */
export async function publishSlot(
  server: TestServer,
  token: string,
  slot: 'live' | 'preview',
  offer: Record<string, unknown>,
  operationId = `op-test-${slot}-${String(offer.id)}`,
): Promise<SlotDocument> {
  const pub = String(offer.publisher);
  const id = String(offer.id);
  const put = await server.api('PUT', `/api/v1/publishers/${pub}/offers/${id}`, { token, body: offer });
  if (put.status !== 200 && put.status !== 201) throw new Error(`PUT failed: ${put.status} ${JSON.stringify(put.body)}`);
  const key = await getOrCreateSigningKey(new DbSigningKeyStore(server.ctx.db));
  const packages: SlotDocument['packages'] = {};
  for (const plan of offer.plans as { id: string; os: Record<string, string>; regions: string[]; images: { version: string; osDisk: string }[] }[]) {
    const image = plan.images.at(-1)!;
    const bytes = Buffer.alloc(4096, path.basename(image.osDisk));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const pkg: PlanPackage = {
      offer: `${pub}.${id}`,
      plan: plan.id,
      version: image.version,
      images: [{ role: 'os', lun: null, sha256, size: bytes.length, locations: Object.fromEntries(plan.regions.map((r) => [r, pathToFileURL(image.osDisk).href])) }],
      template: {
        kind: 'vmarket.vm/v1',
        os: plan.os,
        recommendedSizes: ['small'],
        openPorts: [{ protocol: 'tcp', port: 22 }],
        disks: [{ role: 'os', lun: null, sha256, sizeBytes: bytes.length, source: 'image' }],
        parameters: {},
      },
    };
    packages[plan.id] = { package: pkg, ...signPackage(pkg, key) };
  }
  const doc: SlotDocument = { operationId, version: operationId, publishedAt: new Date().toISOString(), offer: offer as SlotDocument['offer'], packages };
  await server.ctx.db.transaction(async (trx) => {
    if (slot === 'live') await setLiveSlot(trx, pub, id, doc as never, operationId);
    else await setPreviewSlot(trx, pub, id, doc as never, operationId);
  });
  return doc;
}
