/**
 * Makes the demo's sample OS image asset: the fixture tree that passes every certification check
 * (test/fixtures/linux-tree.ts) as a 24 MiB fixed VHD with an ext4 root, gzip-compressed into
 * assets/sample/sample-os.vhd.gz with the image's SHA-256 next to it. Run it (needs e2fsprogs)
 * when the tree changes: `node_modules/.bin/node scripts/make-sample-image.ts`. Users never run
 * it: `vmarket demo` only decompresses the asset (src/demo/sample-image.ts).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { certifyImages } from '../src/certification/index.ts';
import { baseLinuxTree, buildImage } from '../test/fixtures/images.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ASSET = path.join(ROOT, 'assets/sample/sample-os.vhd.gz');
/** Above image.size's 20 MiB minimum with room for the ext4 journal and metadata. */
const SIZE_MIB = 24;

const dir = await mkdtemp(path.join(os.tmpdir(), 'vmarket-sample-'));
try {
  const image = path.join(dir, 'sample-os.vhd');
  await buildImage({ ...baseLinuxTree(), output: image, sizeMiB: SIZE_MIB, mkfsOptions: ['-E', 'lazy_itable_init=1,lazy_journal_init=1', '-m', '0'] });
  const report = await certifyImages({ osDisk: image, config: { clamav: { mode: 'off', databaseDir: '/nonexistent' } } });
  if (report.result !== 'passed') {
    throw new Error(`the sample image does not pass certification: ${report.checks.filter((c) => c.status === 'failed').map((c) => `${c.id}: ${c.message}`).join('; ')}`);
  }
  const bytes = await readFile(image);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const gz = gzipSync(bytes, { level: 9 });
  // gzip's header holds no timestamp with zlib's gzipSync (mtime 0), so the asset is reproducible
  await writeFile(ASSET, gz);
  await writeFile(`${ASSET.replace(/\.gz$/, '')}.sha256`, `${sha256}  sample-os.vhd\n`);
  console.log(`${ASSET}: ${gz.length} bytes (image ${bytes.length} bytes, sha256 ${sha256}), certification passed`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
