/**
 * An XFS root through openDisk's path (readDisk) into the checks: a readable XFS is the Linux
 * root like an ext one (linux.os-release, image.readable), an unreadable one is named with why.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import { bufferReader } from '../../../src/certification/disk/buffer-reader.ts';
import { readDisk } from '../../../src/certification/fs/open.ts';
import { scratchDir } from '../../helpers/files.ts';
import { runCheck } from '../context.ts';
import { buildXfs, populateTree, xfsSkip } from './fixtures.ts';

describe('checks on an XFS root', { skip: xfsSkip() }, () => {
  const dir = scratchDir('vmarket-xfs-checks-');
  let image: Buffer;

  before(async () => {
    const built = await buildXfs(dir(), 'root', 300, [], (root) => populateTree(root, { manyEntries: 100, fragments: 50, blockSize: 4096 }));
    image = await readFile(built.path);
  });

  it('finds the root on a readable XFS: linux.os-release and image.readable pass', async () => {
    const { fileSystems } = await readDisk(bufferReader(image), { name: 'os.raw' });
    assert.equal(fileSystems.length, 1);
    assert.equal(fileSystems[0].kind, 'xfs');
    assert.ok(fileSystems[0].fs, String(fileSystems[0].problem?.en));
    const release = await runCheck('linux.os-release', null, { fileSystems });
    assert.equal(release.status, 'passed', release.message);
    const readable = await runCheck('image.readable', null, { fileSystems });
    assert.equal(readable.status, 'passed', readable.message);
  });

  it('names an XFS that could not be read, and why, in English and German', async () => {
    const damaged = Buffer.from(image.subarray(0, 64 * 1024 * 1024));
    damaged[8] ^= 0xff;
    const { fileSystems } = await readDisk(bufferReader(damaged), { name: 'os.raw' });
    assert.equal(fileSystems[0].fs, null);
    const release = await runCheck('linux.os-release', null, { fileSystems });
    assert.equal(release.status, 'failed');
    assert.match(release.message, /xfs on the whole disk that could not be read \(the superblock: XFS file system is corrupt: the superblock fails its CRC check/);
    const german = await runCheck('linux.os-release', null, { fileSystems, locale: 'de' });
    assert.match(german.message, /xfs auf dem ganzen Datenträger, das nicht gelesen werden konnte \(der Superblock: das XFS-Dateisystem ist beschädigt: der Superblock besteht die CRC-Prüfung nicht/);
  });
});
