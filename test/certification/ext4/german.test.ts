/**
 * The ext reader's reasons read in German: a corrupt ext4 file system is quoted by
 * linux.os-release in the report's language, and the English stays exactly as it always was.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import { bufferReader } from '../../../src/certification/disk/buffer-reader.ts';
import { readDisk } from '../../../src/certification/fs/open.ts';
import type { OpenedFileSystem } from '../../../src/certification/disk/types.ts';
import { runCheck } from '../context.ts';
import { buildImage, toolsAvailable } from './fixtures.ts';

const SUPERBLOCK = 1024;
const INODES_PER_GROUP = 0x28;

describe('ext reader reasons in German', { skip: !toolsAvailable() && 'needs root, mkfs.ext4 and debugfs' }, () => {
  let fileSystems: OpenedFileSystem[];

  before(async () => {
    const built = await buildImage({ mkfs: 'ext4', options: [], sizeMiB: 8 });
    const image = await readFile(built.path);
    image.writeUInt32LE(0, SUPERBLOCK + INODES_PER_GROUP);
    ({ fileSystems } = await readDisk(bufferReader(image)));
  });

  it('linux.os-release quotes the corrupt superblock in German and unchanged in English', async () => {
    const en = await runCheck('linux.os-release', null, { fileSystems });
    const de = await runCheck('linux.os-release', null, { fileSystems, locale: 'de' });
    assert.equal(en.status, 'failed');
    assert.equal(en.message, 'no readable Linux root file system with /etc/os-release: found ext4 on the whole disk that could not be read (the superblock: ext file system is corrupt: impossible inodes per group 0)');
    assert.equal(de.message, 'kein lesbares Linux-Root-Dateisystem mit /etc/os-release: gefunden: ext4 auf dem ganzen Datenträger, das nicht gelesen werden konnte (der Superblock: das ext-Dateisystem ist beschädigt: unmögliche Anzahl Inodes pro Gruppe 0)');
  });
});
