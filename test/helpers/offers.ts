/**
 * Offers in tests: a valid offer document, one whose OS disk is a file in a test server's import
 * dir, published slots written the way the pipeline writes them, bounded polling of the status API.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { DbSigningKeyStore } from '../../src/catalog/key-store.ts';
import { getOrCreateSigningKey, signPackage } from '../../src/catalog/signing.ts';
import { setLiveSlot, setPreviewSlot } from '../../src/offers/repository.ts';
import type { PlanPackage, SlotDocument } from '../../src/pipeline/packages.ts';
import type { ApiCall } from './http.ts';
import type { TestServer } from './server.ts';

export const AUDIENCE = '00000000-0000-4000-8000-0000000000aa';

export interface OfferOptions {
  id: string;
  publisher: string;
  osDisk: string;
  regions?: string[];
  version?: string;
  /** Listing fields replacing the defaults. */
  listing?: Record<string, unknown>;
  leads?: Record<string, unknown>;
  testDrive?: Record<string, unknown>;
  plans?: Record<string, unknown>[];
}

/** A valid offer (docs/contracts.md §2) with one plan whose OS disk is `osDisk`. */
export function offerDocument(o: OfferOptions): Record<string, unknown> {
  return {
    id: o.id,
    publisher: o.publisher,
    listing: {
      title: `Pipeline test ${o.id}`,
      summary: 'An offer the pipeline tests publish.',
      description: 'Published by test/pipeline.',
      categories: ['linux'],
      keywords: ['test'],
      privacyUrl: 'https://example.com/privacy',
      termsOfUse: 'For tests only.',
      support: { name: 'Support', email: 'support@example.com' },
      engineering: { name: 'Engineering', email: 'eng@example.com' },
      ...o.listing,
    },
    previewAudience: [AUDIENCE],
    leads: o.leads ?? { destination: 'table' },
    ...(o.testDrive ? { testDrive: o.testDrive } : {}),
    plans: o.plans ?? [
      {
        id: 'standard',
        title: 'Standard',
        summary: 'One disk.',
        description: 'One OS disk.',
        os: { family: 'linux', type: 'ubuntu', name: 'Ubuntu 22.04' },
        regions: o.regions ?? ['westeurope', 'eastus'],
        recommendedSizes: ['small'],
        openPorts: [{ protocol: 'tcp', port: 22 }],
        pricing: { model: 'free' },
        images: [{ version: o.version ?? '1.0.0', osDisk: o.osDisk }],
      },
    ],
  };
}

/** Polls the offer's status until `until` holds (at most `timeoutMs`), returning the document. */
export async function waitForStatus(
  api: ApiCall,
  token: string,
  pub: string,
  offer: string,
  until: (doc: any) => boolean,
  timeoutMs = 60_000,
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < deadline) {
    const res = await api('GET', `/api/v1/publishers/${pub}/offers/${offer}/status`, { token });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    last = res.body;
    if (until(last)) return last;
    if (['failed', 'canceled'].includes(last.status) && !until(last)) {
      assert.fail(`the operation ended ${last.status}: ${JSON.stringify(last.steps.map((s: any) => [s.id, s.status, s.messages.map((m: any) => m.text)]))}`);
    }
    await sleep(100);
  }
  assert.fail(`timed out waiting; last status ${JSON.stringify(last?.steps?.map((s: any) => [s.id, s.status, s.progressPercentage]))} (${last?.status})`);
}

export function step(doc: any, id: string): any {
  return doc.steps.find((s: any) => s.id === id);
}

/** A small file standing for a disk image: validation only needs it to exist inside the publisher's import dir. */
export async function imageFile(server: TestServer, name = 'os.vhd', publisher = 'contoso'): Promise<string> {
  const file = path.join(server.importDirOf(publisher), name);
  await writeFile(file, Buffer.alloc(4096, name));
  return file;
}

/** A valid offer document (docs/contracts.md §2) whose OS disk is a file in the publisher's import dir. */
export async function validOffer(server: TestServer, options: Partial<OfferOptions> & { id: string; publisher: string }): Promise<Record<string, unknown>> {
  const osDisk = options.osDisk ?? (await imageFile(server, 'os.vhd', options.publisher));
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
