/**
 * Encrypted partitions: a real LUKS1 and LUKS2 header (cryptsetup luksFormat on a plain file, no
 * device-mapper needed) in partition 2 of a disk whose partition 1 is ext4. image.readable must
 * say plainly that the partition is encrypted and cannot be certified, in English and German, and
 * linux.os-release must name what it found.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { certifyImages } from '../../../src/certification/index.ts';
import type { CertificationReport } from '../../../src/certification/types.ts';
import { buildExtFsImage } from '../../fixtures/lvm.ts';
import { scratchDir } from '../../helpers/files.ts';
import { needs } from '../../helpers/tools.ts';

const run = promisify(execFile);
const MiB = 1024 * 1024;

async function encryptedDisk(dir: string, type: 'luks1' | 'luks2'): Promise<string> {
  const container = join(dir, `${type}.luks`);
  const key = join(dir, 'key');
  await writeFile(key, 'a key file for the test only\n');
  const file = await open(container, 'w');
  await file.truncate(20 * MiB).finally(() => file.close());
  await run('cryptsetup', ['luksFormat', '--batch-mode', '--type', type, '--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000', '--key-file', key, container]);
  const boot = await buildExtFsImage(join(dir, 'boot.ext4'), [{ path: '/grub/grub.cfg', content: 'set timeout=0\n' }], 4);
  const disk = join(dir, `${type}.img`);
  const handle = await open(disk, 'w');
  try {
    await handle.truncate(32 * MiB);
    await handle.write(await readFile(boot), 0, 4 * MiB, MiB);
    await handle.write(await readFile(container), 0, 20 * MiB, 5 * MiB);
  } finally {
    await handle.close();
  }
  await new Promise<void>((resolve, reject) => {
    const child = execFile('sfdisk', ['-q', disk], (error) => (error ? reject(error) : resolve()));
    child.stdin!.end(`label: gpt\nstart=2048, size=8192, type=L\nstart=10240, size=40960, type=L\n`);
  });
  return disk;
}

describe('encrypted (LUKS) partitions', { skip: needs('cryptsetup') || needs('sfdisk') || needs('mkfs.ext4') }, () => {
  const scratch = scratchDir('vmarket-luks-');
  const reports: Partial<Record<'luks1' | 'luks2', CertificationReport>> = {};

  before(async () => {
    for (const type of ['luks1', 'luks2'] as const) {
      const disk = await encryptedDisk(scratch(), type);
      reports[type] = await certifyImages({ osDisk: disk, dataDisks: [], config: { clamav: { mode: 'off', databaseDir: '/nonexistent' } } });
    }
  });

  for (const [type, version] of [['luks1', 1], ['luks2', 2]] as const) {
    it(`image.readable fails on a ${type.toUpperCase()} partition, saying it is encrypted (en and de)`, () => {
      const readable = reports[type]!.checks.find((c) => c.id === 'image.readable')!;
      assert.equal(readable.status, 'failed');
      assert.equal(
        readable.message,
        `partition 2 is encrypted (LUKS${version}); certification cannot read an encrypted disk; publish it unencrypted and let the platform encrypt the deployed disk`,
      );
      assert.match(readable.translations?.de?.message ?? '', new RegExp(`^Partition 2 ist verschlüsselt \\(LUKS${version}\\); die Zertifizierung kann`));
      const os = reports[type]!.checks.find((c) => c.id === 'linux.os-release')!;
      assert.equal(os.status, 'failed');
      assert.match(os.message, new RegExp(`an encrypted \\(LUKS${version}\\) volume on partition 2`));
    });
  }
});
