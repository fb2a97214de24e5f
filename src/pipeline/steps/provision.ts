/**
 * provision: copies every certified image into the marketplace's primary store, content-addressed
 * by SHA-256 (the store verifies the bytes it writes against the hash certification computed, so
 * that hash is checked, not trusted), and at the same time into each plan's preview region (its
 * first region), which makes the preview deployable. Objects already present are not copied again.
 */
import { certifiedDisks, stagedImage, withSourceNames } from '../image-files.ts';
import { message } from '../operations.ts';
import { formatBytes, replicateToRegions } from '../replication.ts';
import { type Phrase, say } from '../../i18n/localized.ts';
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

interface Checkpoint {
  primary?: string[];
  preview?: string[];
  bytesCopied?: number;
}

async function run(s: StepContext): Promise<StepOutcome> {
  const { ctx, operation } = s;
  const disks = certifiedDisks(s.offer, s.artifacts);
  const unique = new Map(disks.map((d) => [d.sha256, d]));
  const cp = s.checkpoint.get<Checkpoint>();
  const primaryDone = new Set(cp.primary ?? []);
  let bytesCopied = cp.bytesCopied ?? 0;
  const totalBytes = [...unique.values()].reduce((n, d) => n + d.size, 0) || 1;
  let doneBytes = [...unique.values()].filter((d) => primaryDone.has(d.sha256)).reduce((n, d) => n + d.size, 0);

  // Each plan's first region is its preview region.
  const previewDone = new Set(cp.preview ?? []);
  const previewWanted = new Map<string, Set<string>>();
  for (const plan of s.offer.plans) {
    for (const d of disks.filter((x) => x.planId === plan.id)) {
      const regions = previewWanted.get(d.sha256) ?? new Set<string>();
      if (!previewDone.has(`${plan.regions[0]}:${d.sha256}`)) regions.add(plan.regions[0]);
      previewWanted.set(d.sha256, regions);
    }
  }
  let checkpoints: Promise<void> = Promise.resolve();
  const saveCheckpoint = () => {
    const snapshot = { primary: [...primaryDone], preview: [...previewDone], bytesCopied };
    checkpoints = checkpoints.then(() => s.checkpoint.set(snapshot)).catch(() => {});
  };

  for (const disk of unique.values()) {
    const previewRegions = [...(previewWanted.get(disk.sha256) ?? [])];
    const needPrimary = !primaryDone.has(disk.sha256);
    if (!needPrimary && previewRegions.length === 0) continue;
    await s.throwIfCanceled();
    // the bytes certification read, staged by this operation (staged again and checked against the certified hash when this worker lacks them)
    const { file } = await stagedImage(ctx, operation.id, disk.source, { expected: { sha256: disk.sha256, size: disk.size }, signal: s.signal });
    // The primary store and the preview region are both written from the local file at once:
    // each copy is verified against the certified hash by its store, and the two copies' writes,
    // hashing and fsyncs overlap instead of the preview waiting for the primary copy.
    const toPrimary = async () => {
      if (!needPrimary) return;
      const { bytesCopied: copied } = await ctx.primary.putFile(file, disk.sha256, {
        signal: s.signal,
        onProgress: (p) => void s.progress(((doneBytes + p.bytesDone) / totalBytes) * 70).catch(() => {}),
      });
      bytesCopied += copied;
      primaryDone.add(disk.sha256);
      saveCheckpoint();
      const label = `${disk.planId} ${disk.role}${disk.lun !== null ? ` lun ${disk.lun}` : ''}`;
      await s.message('information', say(diskStored, label, copied, disk.sha256.slice(0, 12)));
    };
    const toPreview = async () => {
      if (previewRegions.length === 0) return;
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
    // allSettled: a failing copy must not leave the other running on after the step gave up
    const results = await Promise.allSettled([toPrimary(), toPreview()]);
    await checkpoints;
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw withSourceNames(failure.reason, [[file, disk.source]]);
    doneBytes += disk.size;
  }

  const previewRegions = Object.fromEntries(s.offer.plans.map((p) => [p.id, p.regions[0]]));
  return {
    status: 'complete',
    artifacts: { bytesCopied, previewRegions },
    messages: [
      message('information', say(provisioned, unique.size, bytesCopied, [...new Set(Object.values(previewRegions))])),
    ],
  };
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
};
