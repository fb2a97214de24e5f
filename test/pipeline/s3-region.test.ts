/**
 * An S3 region end to end: a server with one file-system region and one S3 region (a real s3rver
 * on loopback) publishes an offer through sign-off to live; the acquired package names the S3
 * copy as `s3://bucket/key`, and that object holds exactly the image's bytes. Republishing the
 * same image as a new version copies nothing (content addressing).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { baseLinuxTree, buildImage } from '../fixtures/images.ts';
import { startTestServer } from '../helpers/server.ts';
import { tempDir } from '../helpers/files.ts';
import { startS3rver } from '../helpers/s3rver.ts';
import { offerDocument, step, waitForStatus } from '../helpers/offers.ts';
import { sha256File } from '../helpers/streams.ts';
import { configuredRegionDir, regionCopyPath } from '../helpers/locations.ts';

const BUCKET = 'eastus';
const BASE = '/api/v1/publishers/contoso/offers/s3-offer';

test('an offer goes live in an S3 region, and republishing the same image copies nothing', async (t) => {
  const s3 = await startS3rver(t);
  const tmp = await tempDir(t, 'vmarket-s3-region-');
  const server = await startTestServer({
    config: {
      regions: [
        { name: 'westeurope', storage: { type: 'fs', path: path.join(tmp, 'westeurope') }, bandwidthBytesPerSecond: 0 },
        {
          name: 'eastus',
          storage: { type: 's3', endpoint: s3.endpoint, bucket: BUCKET, region: 'us-east-1', forcePathStyle: true, prefix: '', ...s3.credentials },
          bandwidthBytesPerSecond: 0,
        },
      ],
    },
  });
  t.after(() => server.close());
  // The test's own client: what the bucket holds is read without the product's storage code.
  const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: s3.credentials });
  t.after(() => client.destroy());
  const bucketKeys = async (): Promise<string[]> =>
    ((await client.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? []).map((o) => o.Key!).sort();

  const token = await server.createPublisher('contoso');
  const image = path.join(server.importDirOf('contoso'), 's3.vhd');
  await buildImage({ ...baseLinuxTree(), output: image });
  const sha = await sha256File(image);
  const size = (await stat(image)).size;

  /** Publishes `version` of the offer (the same image each time) to live; answers the final status. */
  async function publishToLive(version: string): Promise<any> {
    const doc = offerDocument({ id: 's3-offer', publisher: 'contoso', osDisk: image, version, regions: ['westeurope', 'eastus'] });
    const put = await server.api('PUT', BASE, { token, body: doc });
    assert.ok([200, 201].includes(put.status), JSON.stringify(put.body));
    assert.equal((await server.api('POST', `${BASE}/publish`, { token })).status, 202);
    await waitForStatus(server.api, token, 'contoso', 's3-offer', (d) => d.status === 'waitingForPublisherReview');
    assert.equal((await server.api('POST', `${BASE}/golive`, { token })).status, 202);
    return waitForStatus(server.api, token, 'contoso', 's3-offer', (d) => d.status === 'succeeded');
  }

  async function acquire(): Promise<any> {
    const res = await server.api('POST', '/api/v1/catalog/offers/contoso.s3-offer/acquire', {
      body: { subscriptionId: '00000000-0000-4000-8000-0000000000ee', plan: 'standard', contact: { name: 'Bo', email: 'bo@example.com' } },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.package;
  }

  const key = `sha256/${sha.slice(0, 2)}/${sha}`;

  await t.test('version 1 goes live; the S3 location holds exactly the image bytes', async () => {
    const done = await publishToLive('1.0.0');
    assert.ok(step(done, 'deploy').messages.some((m: any) => m.text.startsWith('eastus: copied')), JSON.stringify(step(done, 'deploy').messages));
    const pkg = await acquire();
    assert.equal(pkg.version, '1.0.0');
    const [disk] = pkg.images;
    assert.equal(disk.sha256, sha);
    assert.equal(disk.size, size);
    assert.deepEqual(Object.keys(disk.locations).sort(), ['eastus', 'westeurope']);
    assert.equal(disk.locations.eastus, `s3://${BUCKET}/${key}`);

    const uri = new URL(disk.locations.eastus);
    const object = await client.send(new GetObjectCommand({ Bucket: uri.host, Key: uri.pathname.slice(1) }));
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of object.Body as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      bytes += chunk.length;
    }
    assert.equal(bytes, size);
    assert.equal(hash.digest('hex'), sha, 'the S3 object holds exactly the image bytes');
    assert.deepEqual(await bucketKeys(), [key]);

    // The file-system region's location names an identical copy without the server's path.
    assert.match(disk.locations.westeurope, /^vmarket-fs:\/\/westeurope\/sha256\//);
    assert.equal(await sha256File(regionCopyPath(configuredRegionDir(server), disk.locations.westeurope)), sha);
  });

  await t.test('the same image as version 1.0.1 copies 0 bytes', async () => {
    const done = await publishToLive('1.0.1');
    const deploy = step(done, 'deploy');
    const texts = deploy.messages.map((m: any) => m.text);
    assert.ok(texts.includes(`eastus: already holds ${sha.slice(0, 12)}…, nothing copied.`), JSON.stringify(texts));
    assert.ok(texts.includes(`westeurope: already holds ${sha.slice(0, 12)}…, nothing copied.`), JSON.stringify(texts));
    assert.ok(texts.some((x: string) => /^Deployed to 2 region\(s\).*\(0 B copied\)\.$/.test(x)), JSON.stringify(texts));
    assert.ok(!texts.some((x: string) => x.includes(': copied')), JSON.stringify(texts));
    assert.ok(step(done, 'provision').messages.some((m: any) => m.text.includes('already stored')), 'provisioning copied nothing either');
    assert.deepEqual(await bucketKeys(), [key], 'still one object in the bucket');
    const pkg = await acquire();
    assert.equal(pkg.version, '1.0.1');
    assert.equal(pkg.images[0].locations.eastus, `s3://${BUCKET}/${key}`);
  });
});
