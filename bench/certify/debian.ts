/**
 * Part of the certification benchmark: a real Debian 12 image (mmdebstrap from Debian's packages,
 * ~16,000 files; test/fixtures/debian-image.ts, cached under the temp dir) on ext4 and on XFS,
 * the same tree. For each: certification time against one SHA-256 pass over the image file,
 * files per second, and peak RSS; then XFS against ext4 (aim: ≤ 1.5×). Needs root and mmdebstrap
 * (skipped with the reason otherwise).
 */
import { debianImage, type DebianLayout } from '../../test/fixtures/debian-image.ts';
import { CLOUD_DEBIAN, debianRootSkip, debianRootTar } from '../../test/fixtures/debian-root.ts';

export interface Measured {
  seconds: number;
  maxRssMb: number;
  summary: string;
  files: number;
}

export async function realDebianBench(
  runs: number,
  shaPass: (file: string) => Promise<number>,
  certify: (image: string) => Promise<Measured>,
  median: (values: number[]) => number,
): Promise<string[]> {
  const skip = debianRootSkip();
  if (skip) {
    console.log(`real Debian 12: not measured (${skip})`);
    return [];
  }
  const tar = await debianRootTar(CLOUD_DEBIAN);
  const results = new Map<DebianLayout, { sha: number; certify: Measured }>();
  for (const layout of ['ext4', 'xfs'] as const) {
    const image = await debianImage({ tar, configuration: 'hardened', layout });
    await shaPass(image);
    const shas: number[] = [];
    const certs: Measured[] = [];
    for (let i = 0; i < runs; i++) {
      shas.push(await shaPass(image));
      certs.push(await certify(image));
    }
    const seconds = median(certs.map((c) => c.seconds));
    const measured = { ...certs[0], seconds, maxRssMb: Math.max(...certs.map((c) => c.maxRssMb)) };
    const sha = median(shas);
    results.set(layout, { sha, certify: measured });
    console.log(
      `real Debian 12 on ${layout}: certify ${seconds.toFixed(2)} s (median of ${certs.map((c) => c.seconds.toFixed(2)).join(', ')}) = ${(seconds / sha).toFixed(2)}× one SHA-256 pass of the 3 GiB sparse image (${sha.toFixed(2)} s), ` +
        `${Math.round(measured.files / seconds)} files/s, peak RSS ${measured.maxRssMb.toFixed(0)} MB; ${measured.summary}`,
    );
  }
  const ext4 = results.get('ext4');
  const xfs = results.get('xfs');
  if (!ext4 || !xfs) return [];
  const ratio = xfs.certify.seconds / ext4.certify.seconds;
  return [`aim, real Debian 12: XFS ${ratio.toFixed(2)}× ext4 on the same tree (≤ 1.5×: ${ratio <= 1.5 ? 'met' : 'NOT met'})`];
}
