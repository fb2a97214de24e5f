/**
 * provision: copies every certified image into the marketplace's primary store, content-addressed
 * by SHA-256 (the store verifies the bytes it writes against the hash certification computed, so
 * that hash is checked, not trusted), then into each plan's preview region (its first region),
 * which makes the preview deployable. Objects already present are not copied again.
 */
import { certifiedDisks, localImageFile } from '../image-files.ts';
import { message } from '../operations.ts';
import { formatBytes, replicateToRegions } from '../replication.ts';
import type { StepContext, StepModule, StepOutcome } from './context.ts';

export const id = 'provision' as const;

interface Checkpoint {
  primary?: string[];
  preview?: string[];
  bytesCopied?: number;
}

export async function run(s: StepContext): Promise<StepOutcome> {
  const { ctx, operation } = s;
  const disks = certifiedDisks(s.offer, s.artifacts);
  const unique = new Map(disks.map((d) => [d.sha256, d]));
  const cp = s.checkpoint.get<Checkpoint>();
  const primaryDone = new Set(cp.primary ?? []);
  let bytesCopied = cp.bytesCopied ?? 0;
  const totalBytes = [...unique.values()].reduce((n, d) => n + d.size, 0) || 1;
  let doneBytes = [...unique.values()].filter((d) => primaryDone.has(d.sha256)).reduce((n, d) => n + d.size, 0);

  for (const disk of unique.values()) {
    if (primaryDone.has(disk.sha256)) continue;
    await s.throwIfCanceled();
    const file = await localImageFile(ctx, operation.id, disk.source, s.signal);
    const { bytesCopied: copied } = await ctx.primary.putFile(file, disk.sha256, {
      signal: s.signal,
      onProgress: (p) => void s.progress(((doneBytes + p.bytesDone) / totalBytes) * 70).catch(() => {}),
    });
    bytesCopied += copied;
    doneBytes += disk.size;
    primaryDone.add(disk.sha256);
    await s.checkpoint.set({ ...cp, primary: [...primaryDone], bytesCopied });
    await s.message('information', `${disk.planId} ${disk.role}${disk.lun !== null ? ` lun ${disk.lun}` : ''}: ${copied > 0 ? `stored ${formatBytes(copied)}` : 'already stored'} (sha256 ${disk.sha256.slice(0, 12)}…).`);
  }

  // Each plan's first region is its preview region.
  const previewDone = new Set(cp.preview ?? []);
  const wanted = new Map<string, { size: number; regions: Set<string> }>();
  for (const plan of s.offer.plans) {
    for (const d of disks.filter((x) => x.planId === plan.id)) {
      const entry = wanted.get(d.sha256) ?? { size: d.size, regions: new Set<string>() };
      if (!previewDone.has(`${plan.regions[0]}:${d.sha256}`)) entry.regions.add(plan.regions[0]);
      wanted.set(d.sha256, entry);
    }
  }
  let writes: Promise<void> = Promise.resolve();
  for (const [sha256, w] of wanted) {
    if (w.regions.size === 0) continue;
    await s.throwIfCanceled();
    await replicateToRegions(s, sha256, w.size, [...w.regions], {
      onRegionDone: (region, copied) => {
        previewDone.add(`${region}:${sha256}`);
        bytesCopied += copied;
        const snapshot = { primary: [...primaryDone], preview: [...previewDone], bytesCopied };
        writes = writes.then(() => s.checkpoint.set(snapshot)).catch(() => {});
      },
    });
    await writes;
  }
  const previewRegions = Object.fromEntries(s.offer.plans.map((p) => [p.id, p.regions[0]]));
  return {
    status: 'complete',
    artifacts: { bytesCopied, previewRegions },
    messages: [
      message(
        'information',
        `Provisioned ${unique.size} image(s) (${formatBytes(bytesCopied)} copied); preview deployable in ${[...new Set(Object.values(previewRegions))].join(', ')}.`,
      ),
    ],
  };
}

export const provisionStep: StepModule = { id, run };
