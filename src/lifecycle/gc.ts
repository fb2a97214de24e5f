/**
 * Storage garbage collection (`POST /api/v1/gc`, `vmarket gc`; docs/operations.md "Garbage
 * collection"). An object of the primary store or of a region is removed when nothing references
 * it and it is older than `gc.graceHours` (by its write time). References: every live and
 * preview slot, every history entry (revoked versions included: they stay for the record), every
 * active (non-terminal) operation with what its steps stored or may have stored (artifacts and
 * checkpoints), the conversions of referenced certified files, and the images of test drives
 * that run. Runs in the server (so it works the same on PostgreSQL deployments).
 *
 * A publication writing right now is safe twice over: its copies are young (the grace period),
 * and the active operations are read again just before each store's deletions, so an operation
 * that started during the listing and reuses an old object keeps it.
 */
import type { AppContext } from '../app/context.ts';
import type { GcReport, GcStoreReport } from '../contracts/index.ts';
import { addActiveOperationObjects, addSlotObjects } from '../pipeline/cancel.ts';
import type { BlobStore, StoredObject } from '../storage/types.ts';

const HOUR = 3_600_000;

/** Every object something still references (see the module comment). */
export async function referencedObjects(ctx: AppContext): Promise<Set<string>> {
  const out = new Set<string>();
  for (const o of await ctx.db.kysely.selectFrom('offers').select(['live', 'preview']).execute()) {
    addSlotObjects(o.live, out);
    addSlotObjects(o.preview, out);
  }
  for (const h of await ctx.db.kysely.selectFrom('offer_live_history').select('snapshot').execute()) addSlotObjects(h.snapshot, out);
  await addActiveOperationObjects(ctx, out);
  const drives = await ctx.db.kysely.selectFrom('test_drives').select('image_sha256').where('status', 'in', ['starting', 'running']).execute();
  for (const d of drives) out.add(d.image_sha256);
  // a conversion is kept while its certified source is: publishing the same image again reuses it
  for (const c of await ctx.db.kysely.selectFrom('disk_conversions').select(['source_sha256', 'sha256']).execute()) {
    if (out.has(c.source_sha256)) out.add(c.sha256);
  }
  return out;
}

export interface GcOptions {
  dryRun: boolean;
  /** The clock (tests). */
  now?: Date;
}

async function listAll(store: BlobStore): Promise<StoredObject[]> {
  const out: StoredObject[] = [];
  for await (const object of store.list!()) out.push(object);
  return out;
}

/** Collects (or, with `dryRun`, lists) the unreferenced objects older than the grace period, per store. */
export async function collectGarbage(ctx: AppContext, options: GcOptions): Promise<GcReport> {
  const graceHours = ctx.config.gc.graceHours;
  const cutoff = (options.now ?? new Date()).getTime() - graceHours * HOUR;
  const stores: { name: string; store: BlobStore }[] = [
    { name: 'primary', store: ctx.primary },
    ...[...ctx.regions].map(([name, region]) => ({ name, store: region.store })),
  ];
  const reports: GcStoreReport[] = [];
  for (const { name, store } of stores) {
    const report: GcStoreReport = { store: name, description: store.description, removed: [], bytes: 0, kept: { referenced: 0, young: 0 }, errors: [] };
    reports.push(report);
    if (!store.list) {
      report.errors.push(`${store.description} cannot list its objects; it is not collected.`);
      continue;
    }
    let objects: StoredObject[];
    try {
      objects = await listAll(store);
    } catch (error) {
      report.errors.push((error as Error).message);
      continue;
    }
    // read after the listing: whatever referenced a listed object by now is seen
    const referenced = await referencedObjects(ctx);
    for (const object of objects) {
      if (referenced.has(object.sha256)) report.kept.referenced++;
      else if (object.modifiedAt.getTime() > cutoff) report.kept.young++;
      else report.removed.push({ sha256: object.sha256, size: object.size, modifiedAt: object.modifiedAt.toISOString() });
    }
    report.removed.sort((a, b) => a.sha256.localeCompare(b.sha256));
    if (!options.dryRun && report.removed.length > 0) {
      const again = await referencedObjects(ctx);
      const removed = [];
      for (const object of report.removed) {
        if (again.has(object.sha256)) {
          report.kept.referenced++;
          continue;
        }
        try {
          await store.delete(object.sha256);
          removed.push(object);
        } catch (error) {
          report.errors.push((error as Error).message);
        }
      }
      report.removed = removed;
    }
    report.bytes = report.removed.reduce((sum, o) => sum + o.size, 0);
  }
  const result = {
    dryRun: options.dryRun,
    graceHours,
    stores: reports,
    count: reports.reduce((n, r) => n + r.removed.length, 0),
    bytes: reports.reduce((n, r) => n + r.bytes, 0),
  };
  ctx.logger.info({ dryRun: result.dryRun, count: result.count, bytes: result.bytes }, 'storage garbage collection');
  return result;
}
