/**
 * Certification of a real Debian 12 image, built by mmdebstrap from Debian's own packages
 * (openssh-server, cloud-init, the cloud kernel, grub-cloud-amd64; about 16,000 files), on each
 * root layout publishers ship: ext4, XFS, and XFS in an LVM2 logical volume. Hardened the way a
 * publisher prepares a cloud image it passes every check; as Debian's packages leave it, it fails
 * exactly the SSH settings a cloud needs. Nothing in these images was written by our code.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { certifyImages } from '../../src/certification/index.ts';
import type { CertificationReport } from '../../src/certification/types.ts';
import { debianImage, type DebianConfiguration, type DebianLayout } from '../fixtures/debian-image.ts';
import { CLOUD_DEBIAN, debianRootSkip, debianRootTar } from '../fixtures/debian-root.ts';
import { needs } from '../helpers/tools.ts';

const LAYOUTS: { layout: DebianLayout; skip: string | false }[] = [
  { layout: 'ext4', skip: debianRootSkip() },
  { layout: 'xfs', skip: debianRootSkip() || needs('mkfs.xfs') },
  { layout: 'xfs-lvm', skip: debianRootSkip() || needs('mkfs.xfs') || needs('vgcfgrestore') },
];

const CONFIG = { clamav: { mode: 'off' as const, databaseDir: '/nonexistent' } };

function statuses(report: CertificationReport, status: string): string[] {
  return report.checks.filter((c) => c.status === status).map((c) => c.id).sort();
}

function summary(report: CertificationReport): string {
  return JSON.stringify(report.checks.filter((c) => c.status !== 'passed').map((c) => ({ id: c.id, status: c.status, message: c.message })), null, 1);
}

let tar = '';
before(async () => {
  if (!debianRootSkip()) tar = await debianRootTar(CLOUD_DEBIAN);
});

async function certify(configuration: DebianConfiguration, layout: DebianLayout, profile: 'standard' | 'azure' = 'standard'): Promise<CertificationReport> {
  const image = await debianImage({ tar, configuration, layout });
  return certifyImages({ osDisk: image, config: { ...CONFIG, profile } });
}

for (const { layout, skip } of LAYOUTS) {
  describe(`real Debian 12 on ${layout}`, { skip }, () => {
    test('hardened as a cloud image, it passes every check', async () => {
      const report = await certify('hardened', layout);
      assert.deepEqual(statuses(report, 'failed'), [], summary(report));
      assert.deepEqual(statuses(report, 'warning'), [], summary(report));
      // no vulnerability database is configured here (test/certification/sbom-vulnerabilities.test.ts syncs one)
      assert.deepEqual(statuses(report, 'skipped'), ['packages.vulnerabilities'], summary(report));
      assert.equal(report.result, 'passed');
      const osRelease = report.checks.find((c) => c.id === 'linux.os-release');
      assert.match(osRelease?.message ?? '', /Debian GNU\/Linux 12/);
      const root = report.checks.find((c) => c.id === 'linux.root-partition');
      assert.match(root?.message ?? '', layout === 'xfs-lvm' ? /logical volume debian\/root \(xfs\)/ : new RegExp(`partition 1 \\(${layout}\\)`), root?.message);
      const scanned = report.checks.find((c) => c.id === 'malware.scan');
      const files = Number(/(\d+) files scanned/.exec(scanned?.message ?? '')?.[1]);
      assert.ok(files > 10_000, `every file of the tree is read (${scanned?.message})`);
    });

    test("as Debian's packages leave it, it fails exactly the SSH settings", async () => {
      const report = await certify('debian', layout);
      assert.deepEqual(statuses(report, 'failed'), ['linux.ssh-client-alive', 'linux.ssh-password-auth'], summary(report));
      // grub-cloud-amd64 sets the serial console; Azure's rootdelay is asked for only under the azure profile
      assert.deepEqual(statuses(report, 'warning'), [], summary(report));
      const keys = report.checks.find((c) => c.id === 'linux.private-keys');
      assert.equal(keys?.status, 'passed');
      // GnuTLS's test vectors are in the package's own unchanged file: information, not a failure
      assert.match(keys?.message ?? '', /libgnutls30/, keys?.message);
      if (layout === 'ext4') {
        const azure = await certify('debian', layout, 'azure');
        const console = azure.checks.find((c) => c.id === 'linux.kernel-console');
        assert.equal(console?.status, 'warning', summary(azure));
        assert.match(console?.message ?? '', /missing rootdelay=300/);
      }
    });
  });
}
