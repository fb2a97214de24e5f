/** Shared pieces of the pipeline tests: an offer document, bounded polling of the status API. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export const AUDIENCE = '00000000-0000-4000-8000-0000000000aa';

export interface ApiAnswer {
  status: number;
  headers: Record<string, unknown>;
  body: any;
}

export type Api = (method: string, path: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }) => Promise<ApiAnswer>;

export interface OfferOptions {
  id: string;
  publisher: string;
  osDisk: string;
  regions?: string[];
  version?: string;
  leads?: Record<string, unknown>;
  testDrive?: Record<string, unknown>;
  plans?: Record<string, unknown>[];
}

/** A valid offer (CONTRACTS §2) with one plan whose OS disk is `osDisk`. */
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
  api: Api,
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

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
