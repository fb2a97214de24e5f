/**
 * provision: copies every certified image into the marketplace's primary store, content-addressed
 * by SHA-256 (the store verifies the bytes it writes against the hash certification computed, so
 * that hash is checked, not trusted), and at the same time into each plan's preview region (its
 * first region), which makes the preview deployable. Objects already present are not copied again.
 *
 * Regions serving another disk format than the source's (`regions[].format`) get a conversion:
 * each format any region of the offer needs is made once per image (src/pipeline/conversion.ts),
 * checked against the certified virtual disk, stored in the primary store (deploy copies it from
 * there), and the preview region gets its format's object. The artifact records each conversion
 * and the virtual disk's SHA-256 the package lists.
 */
import { virtualDiskSha256 } from '../../certification/disk/virtual-hash.ts';
import type { DeliveryTarget } from '../../contracts/catalog.ts';
import { type ConversionsBySource, conversionTarget, diskName, regionFormat, type StoredCopy } from '../delivery.ts';
import { convertForDelivery } from '../conversion.ts';
import { certifiedDisks, type DiskArtifact, stagedImage, withSourceNames } from '../image-files.ts';
import { message } from '../operations.ts';
import { formatBytes, replicateToRegions } from '../replication.ts';
import { type Phrase, say } from '../../i18n/localized.ts';
import type { ImageFormat } from '../../certification/types.ts';
import { DAY } from '../time-frame.ts';
import type { PipelineStep, StepContext, StepOutcome } from './context.ts';

/** `plan os lun 1`: which disk of which plan. */
type DiskLabel = string;
const diskStored: Phrase<[DiskLabel, number, string]> = {
  en: (disk, copied, short) => `${disk}: ${copied > 0 ? `stored ${formatBytes(copied)}` : 'already stored'} (sha256 ${short}…).`,
  de: (disk, copied, short) => `${disk}: ${copied > 0 ? `${formatBytes(copied, 'de')} gespeichert` : 'bereits gespeichert'} (sha256 ${short}…).`,
};
const provisioned: Phrase<[number, number, string[]]> = {
  en: (images, copied, regions) => `Provisioned ${images} image(s) (${formatBytes(copied)} copied); preview deployable in ${regions.join(', ')}.`,
  de: (images, copied, regions) =>
    `${images} ${images === 1 ? 'Image' : 'Images'} bereitgestellt (${formatBytes(copied, 'de')} kopiert); die Vorschau ist bereitstellbar in ${regions.join(', ')}.`,
};
const converting: Phrase<[DiskArtifact, DeliveryTarget, string[]]> = {
  en: (disk, target, regions) => `converting ${diskName.en(disk)} to ${target} for ${regions.join(', ')}`,
  de: (disk, target, regions) => `${diskName.de(disk)} wird für ${regions.join(', ')} nach ${target} umgewandelt`,
};
const converted: Phrase<[DiskArtifact, DeliveryTarget, StoredCopy]> = {
  en: (disk, target, copy) => `${diskName.en(disk)}: converted to ${target} (${formatBytes(copy.size)}, sha256 ${copy.sha256.slice(0, 12)}…), virtual disk verified.`,
  de: (disk, target, copy) =>
    `${diskName.de(disk)}: nach ${target} umgewandelt (${formatBytes(copy.size, 'de')}, sha256 ${copy.sha256.slice(0, 12)}…), virtueller Datenträger geprüft.`,
};
const conversionReused: Phrase<[DiskArtifact, DeliveryTarget, StoredCopy]> = {
  en: (disk, target, copy) => `${diskName.en(disk)}: the ${target} conversion of an earlier publication is reused (sha256 ${copy.sha256.slice(0, 12)}…), nothing converted.`,
  de: (disk, target, copy) =>
    `${diskName.de(disk)}: die ${target}-Umwandlung einer früheren Veröffentlichung wird wiederverwendet (sha256 ${copy.sha256.slice(0, 12)}…), nichts umgewandelt.`,
};
const hashingVirtual: Phrase<[DiskArtifact]> = {
  en: (disk) => `hashing the virtual disk of the ${diskName.en(disk)}`,
  de: (disk) => `der virtuelle Datenträger des ${diskName.de(disk)}s wird gehasht`,
};

interface Checkpoint {
  /** Objects (certified files and conversions) the primary store holds. */
  primary?: string[];
  /** `region:sha256` pairs the preview regions hold. */
  preview?: string[];
  bytesCopied?: number;
  /** Virtual disk SHA-256s this step computed (a report without them), by certified SHA-256. */
  virtualSha256?: Record<string, string>;
  conversions?: ConversionsBySource;
}

/** What the regions of an offer need of one certified file. */
interface Delivery {
  /** Preview regions serving the certified bytes. */
  previewSource: Set<string>;
  /** Per conversion target: every region serving it, and the preview regions among them. */
  targets: Map<DeliveryTarget, { regions: Set<string>; preview: Set<string> }>;
}

function deliveries(s: StepContext, disks: DiskArtifact[]): Map<string, Delivery> {
  const out = new Map<string, Delivery>();
  for (const plan of s.offer.plans) {
    for (const d of disks.filter((x) => x.planId === plan.id)) {
      const delivery = out.get(d.sha256) ?? { previewSource: new Set<string>(), targets: new Map() };
      out.set(d.sha256, delivery);
      for (const [index, region] of plan.regions.entries()) {
        const target = conversionTarget(d.format, regionFormat(s.ctx, region));
        if (target === null) {
          if (index === 0) delivery.previewSource.add(region);
          continue;
        }
        const entry = delivery.targets.get(target) ?? { regions: new Set<string>(), preview: new Set<string>() };
        entry.regions.add(region);
        if (index === 0) entry.preview.add(region);
        delivery.targets.set(target, entry);
      }
    }
  }
  return out;
}

async function run(s: StepContext): Promise<StepOutcome> {
  const { ctx, operation } = s;
  const disks = certifiedDisks(s.offer, s.artifacts);
  const unique = new Map(disks.map((d) => [d.sha256, d]));
  const wanted = deliveries(s, disks);
  const cp = s.checkpoint.get<Checkpoint>();
  const primaryDone = new Set(cp.primary ?? []);
  const previewDone = new Set(cp.preview ?? []);
  const virtualDone: Record<string, string> = { ...(cp.virtualSha256 ?? {}) };
  const conversions: ConversionsBySource = structuredClone(cp.conversions ?? {});
  let bytesCopied = cp.bytesCopied ?? 0;

  // Work in units of source bytes: one for the copy of each file, one for each of its conversions.
  const work = (d: DiskArtifact) => d.size * (1 + (wanted.get(d.sha256)?.targets.size ?? 0));
  const totalBytes = [...unique.values()].reduce((n, d) => n + work(d), 0) || 1;
  let doneBytes = 0;
  const report = (extra: number) => void s.progress(((doneBytes + extra) / totalBytes) * 100).catch(() => {});

  let checkpoints: Promise<void> = Promise.resolve();
  const saveCheckpoint = () => {
    const snapshot: Checkpoint = { primary: [...primaryDone], preview: [...previewDone], bytesCopied, virtualSha256: virtualDone, conversions };
    checkpoints = checkpoints.then(() => s.checkpoint.set(snapshot)).catch(() => {});
  };
  const conversionOf = (sha256: string, target: DeliveryTarget) => conversions[sha256]?.[target];

  for (const disk of unique.values()) {
    const delivery = wanted.get(disk.sha256)!;
    const previewRegions = [...delivery.previewSource].filter((r) => !previewDone.has(`${r}:${disk.sha256}`));
    const needPrimary = !primaryDone.has(disk.sha256);
    const needVirtual = !disk.virtualSha256 && !virtualDone[disk.sha256];
    const targetsLeft = [...delivery.targets].filter(
      ([target, t]) => !conversionOf(disk.sha256, target) || [...t.preview].some((r) => !previewDone.has(`${r}:${conversionOf(disk.sha256, target)!.sha256}`)),
    );
    if (!needPrimary && previewRegions.length === 0 && !needVirtual && targetsLeft.length === 0) {
      doneBytes += work(disk);
      continue;
    }
    await s.throwIfCanceled();
    // the bytes certification read, staged by this operation (staged again and checked against the certified hash when this worker lacks them)
    const { file } = await stagedImage(ctx, operation.id, disk.source, { expected: { sha256: disk.sha256, size: disk.size }, signal: s.signal });
    const hideFile = (error: unknown) => withSourceNames(error, [[file, disk.source]]);

    // The primary store and the preview region are both written from the local file at once:
    // each copy is verified against the certified hash by its store, and the two copies' writes,
    // hashing and fsyncs overlap instead of the preview waiting for the primary copy.
    const toPrimary = async () => {
      if (!needPrimary) return;
      const { bytesCopied: copied } = await ctx.primary.putFile(file, disk.sha256, {
        signal: s.signal,
        onProgress: (p) => report(p.bytesDone),
      });
      bytesCopied += copied;
      primaryDone.add(disk.sha256);
      saveCheckpoint();
      const label = `${disk.planId} ${disk.role}${disk.lun !== null ? ` lun ${disk.lun}` : ''}`;
      await s.message('information', say(diskStored, label, copied, disk.sha256.slice(0, 12)));
    };
    const toPreview = async () => {
      await replicateToRegions(s, disk.sha256, disk.size, previewRegions, {
        source: file,
        sourceName: disk.source,
        onRegionDone: (region, copied) => {
          previewDone.add(`${region}:${disk.sha256}`);
          bytesCopied += copied;
          saveCheckpoint();
        },
      });
    };
    const toVirtualHash = async () => {
      if (!needVirtual) return;
      // an older report (or an engine without the virtual hash): read the certified file once
      // more, through the virtual-disk layer, while the copies run
      await s.progress((doneBytes / totalBytes) * 100, say(hashingVirtual, disk));
      const declared = disk.format ? { format: disk.format as ImageFormat } : {};
      virtualDone[disk.sha256] = (await virtualDiskSha256(file, { declared, signal: s.signal })).sha256;
      saveCheckpoint();
    };
    // allSettled: a failing copy must not leave the other running on after the step gave up
    const results = await Promise.allSettled([toPrimary(), toPreview(), toVirtualHash()]);
    await checkpoints;
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw hideFile(failure.reason);
    doneBytes += disk.size;
    const virtualSha256 = (disk.virtualSha256 ?? virtualDone[disk.sha256])!;

    for (const [target, { regions, preview }] of delivery.targets) {
      let copy = conversionOf(disk.sha256, target);
      if (!copy) {
        await s.throwIfCanceled();
        const result = await convertForDelivery(ctx, {
          onConverting: () => s.progress((doneBytes / totalBytes) * 100, say(converting, disk, target, [...regions])),
          operationId: operation.id,
          file,
          source: { name: disk.source, sha256: disk.sha256, format: disk.format ?? 'unknown', virtualSha256 },
          target,
          signal: s.signal,
          onProgress: (fraction) => report(fraction * disk.size),
        }).catch((error: unknown) => Promise.reject(hideFile(error)));
        copy = result.copy;
        conversions[disk.sha256] = { ...conversions[disk.sha256], [target]: copy };
        primaryDone.add(copy.sha256);
        bytesCopied += result.bytesCopied;
        saveCheckpoint();
        await s.message('information', say(result.reused ? conversionReused : converted, disk, target, copy));
      }
      const stored = copy;
      const pending = [...preview].filter((r) => !previewDone.has(`${r}:${stored.sha256}`));
      await replicateToRegions(s, stored.sha256, stored.size, pending, {
        onRegionDone: (region, copied) => {
          previewDone.add(`${region}:${stored.sha256}`);
          bytesCopied += copied;
          saveCheckpoint();
        },
      });
      await checkpoints;
      doneBytes += disk.size;
    }
  }

  const previewRegions = Object.fromEntries(s.offer.plans.map((p) => [p.id, p.regions[0]]));
  return {
    status: 'complete',
    artifacts: { bytesCopied, previewRegions, virtualSha256: virtualDone, conversions },
    messages: [
      message('information', say(provisioned, unique.size, bytesCopied, [...new Set(Object.values(previewRegions))])),
    ],
  };
}

/** The converted objects this step stored (the certified files are the certify step's to name). */
function convertedObjects(recorded: unknown): string[] {
  const bySource = ((recorded as { conversions?: ConversionsBySource } | null | undefined)?.conversions ?? {}) as ConversionsBySource;
  return Object.values(bySource).flatMap((byFormat) => Object.values(byFormat ?? {}).flatMap((c) => (typeof c?.sha256 === 'string' ? [c.sha256] : [])));
}

export const provisionStep: PipelineStep = {
  id: 'provision',
  name: { en: 'Provisioning', de: 'Bereitstellung' },
  description: {
    en: "The certified images are copied into the marketplace's primary store, content-addressed and verified, and into each plan's preview region.",
    de: 'Die zertifizierten Images werden inhaltsadressiert und geprüft in den Hauptspeicher des Marktplatzes und in die Vorschau-Region jedes Plans kopiert.',
  },
  queue: 'pipeline',
  expectedMaxSeconds: 4 * DAY,
  run,
  storedObjects: ({ artifact, checkpoint }) => [...new Set([...convertedObjects(artifact), ...convertedObjects(checkpoint)])],
};
