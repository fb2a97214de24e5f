/**
 * Which file each region serves of each disk (issue 10): a region serving `source`, or the very
 * format the publisher supplied, gets the certified file; any other gets the conversion
 * provisioning made and recorded in its artifact (`artifacts.provision.conversions`). Provision,
 * deploy, package and live all ask here, so they agree on the object every region must hold.
 */
import type { AppContext } from '../app/context.ts';
import type { DeliveryFormat, DeliveryTarget } from '../contracts/catalog.ts';
import { VmarketError } from '../errors.ts';
import type { Phrase } from '../i18n/localized.ts';
import type { DiskArtifact } from './image-files.ts';

/** A converted file in the primary store. */
export interface StoredCopy {
  sha256: string;
  size: number;
  virtualSha256: string;
}

/** The file one region serves of one disk. */
export interface RegionCopy {
  /** The file's disk format: the target of a conversion, or the source's own format. */
  format: string;
  sha256: string;
  size: number;
  virtualSha256?: string;
  /** True when it is the certified file itself (the package lists it under `locations`). */
  certifiedBytes: boolean;
}

/** Conversions by certified SHA-256, then by format (the provision step's artifact or checkpoint). */
export type ConversionsBySource = Record<string, Partial<Record<DeliveryTarget, StoredCopy>>>;

/** The format `region` serves (`regions[].format`). */
export function regionFormat(ctx: AppContext, region: string): DeliveryFormat {
  return ctx.regions.get(region)?.config.format ?? 'source';
}

/** What a region serving `served` needs of a `sourceFormat` file: a conversion target, or null for the certified bytes. */
export function conversionTarget(sourceFormat: string | undefined, served: DeliveryFormat): DeliveryTarget | null {
  return served === 'source' || served === sourceFormat ? null : served;
}

/** "os disk", "data disk lun 0": how messages name a disk of a plan. */
export const diskName: Phrase<[DiskArtifact]> = {
  en: (disk) => (disk.role === 'os' ? 'os disk' : `data disk lun ${disk.lun}`),
  de: (disk) => (disk.role === 'os' ? 'Betriebssystem-Datenträger' : `Datenträger lun ${disk.lun}`),
};

/** The conversions the provision step made (empty for an operation older than delivery formats). */
export function recordedConversions(artifacts: Record<string, any>): ConversionsBySource {
  return (artifacts.provision?.conversions ?? {}) as ConversionsBySource;
}

/** The file `region` serves of `disk`. INTERNAL when provisioning made no conversion the region needs. */
export function regionCopy(ctx: AppContext, artifacts: Record<string, any>, disk: DiskArtifact, region: string): RegionCopy {
  const target = conversionTarget(disk.format, regionFormat(ctx, region));
  if (target === null) {
    return { format: disk.format ?? 'unknown', sha256: disk.sha256, size: disk.size, virtualSha256: disk.virtualSha256, certifiedBytes: true };
  }
  const byFormat = recordedConversions(artifacts)[disk.sha256];
  const copy = byFormat && Object.hasOwn(byFormat, target) ? byFormat[target] : undefined;
  if (!copy) {
    // the region's format changed after provisioning (a configuration change mid-publication)
    throw new VmarketError('INTERNAL', `No ${target} conversion of ${disk.source} was provisioned for the region ${region}; publish again.`);
  }
  return { format: target, sha256: copy.sha256, size: copy.size, virtualSha256: copy.virtualSha256, certifiedBytes: false };
}
