/**
 * The download links of an acquired package (docs/contracts.md §5 "Downloads"): for each image
 * and each region of the package, the file that region serves (its copy entry), as a signed link
 * on this server for a file-system region or a presigned GET URL for an S3 region, all expiring
 * after `downloads.urlTtlSeconds`, and the acquisition's own simplestreams mirror root (acquired-mirror.ts). An S3 download's bytes go straight from the bucket, so it is
 * counted when its URL is issued; a file-system download is counted when it is served.
 */
import type { AppContext } from '../app/context.ts';
import type { DownloadLink, PackageImage, PlanPackage } from '../contracts/index.ts';
import { FsBlobStore } from '../storage/fs-store.ts';
import { S3BlobStore } from '../storage/s3-store.ts';
import type { AcquisitionRecord } from './acquisitions.ts';
import { recordDownload } from './download-counts.ts';
import { downloadLinkKey, signedDownloadUrl } from './download-links.ts';
import { acquiredMirrorUrl } from './acquired-mirror.ts';

/** The file extension of a disk format, for download file names. */
const EXTENSIONS: Record<string, string> = { raw: 'raw', qcow2: 'qcow2', vmdk: 'vmdk', vhd: 'vhd', 'vhd-fixed': 'vhd', 'vhd-dynamic': 'vhd', vhdx: 'vhdx' };

/** A file name for one image of a package, e.g. `contoso.ubuntu-standard-1.0.0-os.qcow2` (only [A-Za-z0-9._-]). */
export function downloadFileName(pkg: Pick<PlanPackage, 'offer' | 'plan' | 'version'>, image: Pick<PackageImage, 'role' | 'lun'>, format: string): string {
  const disk = image.role === 'os' ? 'os' : `data${image.lun ?? ''}`;
  const name = `${pkg.offer}-${pkg.plan}-${pkg.version}-${disk}.${EXTENSIONS[format] ?? 'img'}`;
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** Region → the file it serves of `image`: its copy entries, or (older packages) the certified file at each location. */
function filesOf(image: PackageImage): [string, { format: string; sha256: string; size: number }][] {
  if (image.copies) return Object.entries(image.copies).map(([region, c]) => [region, { format: c.format, sha256: c.sha256, size: c.size }]);
  return Object.keys(image.locations).map((region) => [region, { format: image.format ?? 'raw', sha256: image.sha256, size: image.size }]);
}

/**
 * Fresh links for every image and region of `pkg` (regions no longer configured are left out),
 * expiring together; each S3 link issued is counted as a download of its size.
 */
export async function downloadLinks(
  ctx: AppContext,
  acquisition: AcquisitionRecord,
  pkg: PlanPackage,
): Promise<{ expiresAt: string; links: DownloadLink[]; mirrorUrl: string }> {
  const ttl = ctx.config.downloads.urlTtlSeconds;
  const expires = Math.floor(Date.now() / 1000) + ttl;
  const expiresAt = new Date(expires * 1000).toISOString();
  const key = downloadLinkKey(ctx.secretKey);
  const links: DownloadLink[] = [];
  for (const image of pkg.images) {
    for (const [region, file] of filesOf(image)) {
      const store = ctx.regions.get(region)?.store;
      const fileName = downloadFileName(pkg, image, file.format);
      let url: string;
      if (store instanceof FsBlobStore) {
        url = signedDownloadUrl(key, ctx.publicUrl, { region, sha256: file.sha256, fileName, acquisitionId: acquisition.id, expires });
      } else if (store instanceof S3BlobStore) {
        url = await store.presignedGetUrl(file.sha256, ttl, fileName);
        await recordDownload(ctx.db, { ...customerOf(acquisition), region }, { downloads: 1, bytes: file.size });
      } else continue;
      links.push({ role: image.role, lun: image.lun, region, format: file.format, sha256: file.sha256, size: file.size, url, expiresAt });
    }
  }
  return { expiresAt, links, mirrorUrl: acquiredMirrorUrl(key, ctx.publicUrl, acquisition.id, expires) };
}

/** The counters' key of an acquisition, less the region. */
export function customerOf(acquisition: AcquisitionRecord) {
  return { publisherId: acquisition.publisher_id, offerId: acquisition.offer_id, plan: acquisition.plan_id, subscriptionId: acquisition.subscription_id };
}
