/**
 * Plan packages (docs/contracts.md §5 acquire shape) and the slot documents the catalogue serves
 * (core.md "Slot documents"). A package lists, per image, only locations that hold exactly its
 * bytes: the preview region in the preview slot, every plan region in the live slot.
 */
import { relative, sep } from 'node:path';
import type { AppContext } from '../app/context.ts';
import { FsBlobStore } from '../storage/fs-store.ts';
import type { BlobStore } from '../storage/types.ts';
import type { DeploymentTemplate, PlanPackage, SignedPackage } from '../contracts/index.ts';
import { getOrCreateSigningKey, signPackage } from '../catalog/signing.ts';
import { DbSigningKeyStore } from '../catalog/key-store.ts';
import type { DiskArtifact } from './image-files.ts';
import type { OfferSnapshot, SnapshotPlan } from './offer-snapshot.ts';
import type { OperationRow } from './operations.ts';
import { regionCopy } from './delivery.ts';
import { regionStore } from './replication.ts';

export type { DeploymentTemplate, PackageImage, PlanPackage, SignedPackage } from '../contracts/index.ts';

export interface SlotDocument {
  operationId: string;
  version: string;
  publishedAt: string;
  offer: OfferSnapshot;
  packages: Record<string, SignedPackage>;
}

export function buildTemplate(plan: SnapshotPlan, disks: DiskArtifact[]): DeploymentTemplate {
  return {
    kind: 'vmarket.vm/v1',
    os: { ...(plan.os ?? {}) },
    recommendedSizes: [...(plan.recommendedSizes ?? [])],
    openPorts: (plan.openPorts ?? []).map((p) => ({ protocol: p.protocol, port: p.port })),
    disks: disks.map((d) => ({ role: d.role, lun: d.lun, sha256: d.sha256, sizeBytes: d.size, source: 'image' as const })),
    parameters: {
      vmName: { type: 'string', description: 'Name of the virtual machine.' },
      size: { type: 'string', description: 'One of recommendedSizes.' },
      adminUsername: { type: 'string', description: 'Administrator account created at first boot.' },
      sshPublicKey: { type: 'string', description: 'Public key for the administrator account (password login is disabled).' },
    },
  };
}

/** The scheme of a file-system region's locations in packages (docs/contracts.md §7). */
export const FS_LOCATION_SCHEME = 'vmarket-fs:';

/**
 * Where a copy is, as customers read it: an S3 region's `s3://bucket/key` as is; a file-system
 * region's as `vmarket-fs://<region>/<object key>`, which names the copy without revealing the
 * server's directories (a `file://` URI would, and means nothing on the customer's machine).
 */
export function customerLocation(region: string, store: BlobStore, sha256: string): string {
  if (store instanceof FsBlobStore) return `${FS_LOCATION_SCHEME}//${region}/${relative(store.root, store.objectPath(sha256)).split(sep).join('/')}`;
  return store.uri(sha256);
}

/**
 * The package of one plan for `regions` (each must hold the file its format serves of each
 * image: `regionCopy`). `locations` keeps its contract, regions holding exactly the certified
 * bytes; `copies` names for every region the file it serves, in its format, with the virtual
 * disk's SHA-256 that is the same in every format.
 */
export function buildPackage(
  ctx: AppContext,
  offer: OfferSnapshot,
  plan: SnapshotPlan,
  disks: DiskArtifact[],
  regions: string[],
  artifacts: Record<string, any>,
): PlanPackage {
  const mine = disks.filter((d) => d.planId === plan.id);
  return {
    offer: `${offer.publisher}.${offer.id}`,
    plan: plan.id,
    version: mine[0]?.version ?? '',
    images: mine.map((d) => {
      const copies = regions.map((r) => [r, regionCopy(ctx, artifacts, d, r)] as const);
      return {
        role: d.role,
        lun: d.lun,
        sha256: d.sha256,
        size: d.size,
        // absent in operations from before delivery formats: a signed package holds no undefined
        ...(d.format ? { format: d.format } : {}),
        ...(d.virtualSha256 ? { virtualSha256: d.virtualSha256 } : {}),
        ...(d.sbom ? { sbom: { sha256: d.sbom.sha256, components: d.sbom.components, format: d.sbom.format } } : {}),
        locations: Object.fromEntries(copies.filter(([, c]) => c.certifiedBytes).map(([r]) => [r, customerLocation(r, regionStore(ctx, r), d.sha256)])),
        copies: Object.fromEntries(
          copies.map(([r, c]) => [
            r,
            {
              location: customerLocation(r, regionStore(ctx, r), c.sha256),
              format: c.format,
              sha256: c.sha256,
              size: c.size,
              ...(c.virtualSha256 ? { virtualSha256: c.virtualSha256 } : {}),
            },
          ]),
        ),
      };
    }),
    template: buildTemplate(plan, mine),
  };
}

/** Signs each package with the marketplace key (created on first use). */
export async function signPackages(ctx: AppContext, packages: PlanPackage[]): Promise<Record<string, SignedPackage>> {
  const key = await getOrCreateSigningKey(new DbSigningKeyStore(ctx.db));
  const out: Record<string, SignedPackage> = {};
  for (const pkg of packages) {
    const { signature, keyId } = signPackage(pkg, key);
    out[pkg.plan] = { package: pkg, signature, keyId };
  }
  return out;
}

export function slotDocument(op: OperationRow, offer: OfferSnapshot, packages: Record<string, SignedPackage>): SlotDocument {
  return { operationId: op.id, version: op.id, publishedAt: new Date().toISOString(), offer, packages };
}
