/** The demo's packaged sample image: written from the asset, rewritten when it differs, and it passes certification. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { certifyImages } from '../../src/certification/index.ts';
import { ensureSampleImage } from '../../src/demo/sample-image.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vmarket-sample-image-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('ensureSampleImage writes the image, keeps an intact copy and replaces a damaged one; the image passes certification', async () => {
  const image = await ensureSampleImage(path.join(dir, 'images'));
  const first = await stat(image);
  assert.equal(first.size, 24 * 1024 * 1024 + 512);
  assert.equal(await ensureSampleImage(path.join(dir, 'images')), image);
  assert.equal((await stat(image)).mtimeMs, first.mtimeMs, 'an intact image is not rewritten');
  await writeFile(image, 'damaged');
  await ensureSampleImage(path.join(dir, 'images'));
  assert.equal((await stat(image)).size, first.size);
  const report = await certifyImages({ osDisk: image, config: { clamav: { mode: 'off', databaseDir: '/nonexistent' } } });
  assert.equal(report.result, 'passed', JSON.stringify(report.checks.filter((c) => c.status !== 'passed')));
});
