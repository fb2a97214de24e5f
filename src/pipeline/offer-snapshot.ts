/**
 * The parts of an offer snapshot (docs/contracts.md §2) the pipeline reads. The snapshot is the draft
 * as it was at publish time, already checked by `validateOffer`; steps never read the live draft.
 */

import type { DiskFormat } from '../contracts/certification.ts';

export interface SnapshotDataDisk {
  lun: number;
  source: string;
  format?: DiskFormat;
}

export interface SnapshotImageVersion {
  version: string;
  osDisk: string;
  osDiskFormat?: DiskFormat;
  dataDisks?: SnapshotDataDisk[];
}

export interface SnapshotPlan {
  id: string;
  title?: string;
  os?: { family?: string; type?: string; name?: string };
  regions: string[];
  recommendedSizes?: string[];
  openPorts?: { protocol: string; port: number }[];
  pricing?: Record<string, unknown>;
  images: SnapshotImageVersion[];
}

export interface SnapshotTestDrive {
  enabled?: boolean;
  regions?: string[];
  hotInstances?: number;
  durationHours?: number;
  userManualUrl?: string;
}

export interface OfferSnapshot {
  id: string;
  publisher: string;
  listing?: Record<string, unknown>;
  previewAudience?: string[];
  leads?: { destination?: string; [key: string]: unknown };
  testDrive?: SnapshotTestDrive;
  plans: SnapshotPlan[];
  [key: string]: unknown;
}

/** One disk of a plan's published image version. */
export interface PlanDisk {
  planId: string;
  version: string;
  role: 'os' | 'data';
  lun: number | null;
  /** The source as written in the offer: a path under the import dirs or an https URL. */
  source: string;
  /** The format the offer declares for it, if any. */
  declaredFormat?: DiskFormat;
}

/** Compares two semver strings (major.minor.patch, pre-release sorts before release). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core, pre] = v.split('-', 2);
    return { nums: core.split('.').map((n) => Number.parseInt(n, 10) || 0), pre: pre ?? null };
  };
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = (pa.nums[i] ?? 0) - (pb.nums[i] ?? 0);
    if (d !== 0) return d;
  }
  if (pa.pre === pb.pre) return 0;
  if (pa.pre === null) return 1;
  if (pb.pre === null) return -1;
  return pa.pre < pb.pre ? -1 : 1;
}

/**
 * The image version a plan publishes: its highest version. A plan lists every version it ever
 * had; the package (docs/contracts.md §5) carries exactly one, the newest.
 */
export function publishedVersion(plan: SnapshotPlan): SnapshotImageVersion {
  return [...plan.images].sort((a, b) => compareVersions(a.version, b.version)).at(-1)!;
}

/** The disks (OS first, then data disks by LUN) of the version a plan publishes. */
export function planDisks(plan: SnapshotPlan): PlanDisk[] {
  const image = publishedVersion(plan);
  const disks: PlanDisk[] = [{ planId: plan.id, version: image.version, role: 'os', lun: null, source: image.osDisk, ...(image.osDiskFormat ? { declaredFormat: image.osDiskFormat } : {}) }];
  for (const d of [...(image.dataDisks ?? [])].sort((a, b) => a.lun - b.lun)) {
    disks.push({ planId: plan.id, version: image.version, role: 'data', lun: d.lun, source: d.source, ...(d.format ? { declaredFormat: d.format } : {}) });
  }
  return disks;
}
