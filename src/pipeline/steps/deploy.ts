/**
 * deploy: replicates every image to every region of its plans (each region the file of the disk
 * format it serves, the certified one or provisioning's conversion, from the primary store) — for each image, all its regions
 * in parallel, each within its bandwidth limit, with retries and back-off, every copy verified
 * by the receiving store. Each (region, image) is checkpointed the moment it is done, so a
 * restarted worker does not copy again what is already there (and content addressing skips
 * objects a region holds anyway).
 */
import { certifiedDisks } from '../image-files.ts';
import { regionCopy } from '../delivery.ts';
import { message } from '../operations.ts';
import { formatBytes, replicateToRegions } from '../replication.ts';
import { type Phrase, say } from '../../i18n/localized.ts';
import { DAY } from '../time-frame.ts';
import type { PipelineStep, StepContext, StepOutcome } from './context.ts';

const resuming: Phrase<[number]> = {
  en: (copies) => `Resuming: ${copies} copies finished before an interruption are kept, not copied again.`,
  de: (copies) => `Fortsetzung: ${copies} vor einer Unterbrechung fertige Kopien bleiben erhalten und werden nicht erneut kopiert.`,
};
const deployed: Phrase<[string[], number]> = {
  en: (regions, copied) => `Deployed to ${regions.length} region(s): ${regions.join(', ')} (${formatBytes(copied)} copied).`,
  de: (regions, copied) =>
    `In ${regions.length} ${regions.length === 1 ? 'Region' : 'Regionen'} bereitgestellt: ${regions.join(', ')} (${formatBytes(copied, 'de')} kopiert).`,
};

interface Checkpoint {
  /** `region:sha256` pairs done. */
  done?: string[];
  bytesCopied?: number;
}

async function run(s: StepContext): Promise<StepOutcome> {
  const disks = certifiedDisks(s.offer, s.artifacts);
  // sha256 → { size, regions that must hold it }
  const objects = new Map<string, { size: number; regions: Set<string> }>();
  for (const plan of s.offer.plans) {
    for (const d of disks.filter((x) => x.planId === plan.id)) {
      for (const r of plan.regions) {
        // the file the region's format serves: provision stored each in the primary store
        const copy = regionCopy(s.ctx, s.artifacts, d, r);
        const entry = objects.get(copy.sha256) ?? { size: copy.size, regions: new Set<string>() };
        entry.regions.add(r);
        objects.set(copy.sha256, entry);
      }
    }
  }
  const cp = s.checkpoint.get<Checkpoint>();
  const done = new Set(cp.done ?? []);
  let bytesCopied = cp.bytesCopied ?? 0;
  const total = [...objects.values()].reduce((n, o) => n + o.size * o.regions.size, 0) || 1;
  const bytes = new Map<string, number>();
  for (const [sha, o] of objects) for (const r of o.regions) if (done.has(`${r}:${sha}`)) bytes.set(`${r}:${sha}`, o.size);
  const report = () => void s.progress(([...bytes.values()].reduce((a, b) => a + b, 0) / total) * 100).catch(() => {});

  if (done.size > 0) {
    await s.message('information', say(resuming, done.size));
  }
  // Checkpoint writes from parallel regions go one after another.
  let writes: Promise<void> = Promise.resolve();
  const allRegions = new Set<string>();
  for (const [sha256, o] of objects) {
    for (const r of o.regions) allRegions.add(r);
    const pending = [...o.regions].filter((r) => !done.has(`${r}:${sha256}`));
    if (pending.length === 0) continue;
    await s.throwIfCanceled();
    await replicateToRegions(s, sha256, o.size, pending, {
      onBytes: (region, n) => {
        bytes.set(`${region}:${sha256}`, n);
        report();
      },
      onRegionDone: (region, copied) => {
        done.add(`${region}:${sha256}`);
        bytesCopied += copied;
        const snapshot = { done: [...done], bytesCopied };
        writes = writes.then(() => s.checkpoint.set(snapshot)).catch(() => {});
      },
    });
    await writes;
  }
  await writes;
  const regions = [...allRegions];
  return {
    status: 'complete',
    artifacts: { bytesCopied, regions },
    messages: [message('information', say(deployed, regions, bytesCopied))],
  };
}

export const deployStep: PipelineStep = {
  id: 'deploy',
  name: { en: 'Deployment', de: 'Bereitstellung' },
  description: {
    en: 'Every image is replicated to every region of its plans, in parallel, with verification of each copy.',
    de: 'Jedes Image wird parallel in jede Region seiner Pläne repliziert, und jede Kopie wird geprüft.',
  },
  queue: 'pipeline',
  expectedMaxSeconds: 4 * DAY,
  run,
};
