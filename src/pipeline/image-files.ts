/**
 * Where a disk image of the offer is, as a local file the steps can read: an import path is
 * confined to the operator's allowed import directories; an https source (allowed by the
 * operator's URL prefixes, checked by `downloadToFile`) is downloaded once per operation into
 * `<dataDir>/staging/<operation>/`.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AppContext } from '../app/context.ts';
import { VmarketError } from '../errors.ts';
import { confineImportPath, importDirsOf } from '../security/paths.ts';
import { downloadToFile } from '../security/urls.ts';
import { loadOperation, type OperationRow } from './operations.ts';
import { planDisks, type OfferSnapshot, type PlanDisk } from './offer-snapshot.ts';

/** The local file of an image source. */
export async function localImageFile(ctx: AppContext, operationId: string, source: string, signal?: AbortSignal): Promise<string> {
  if (/^https?:\/\//i.test(source)) return stagedDownload(ctx, operationId, source, signal);
  return confineImportPath(source, importDirsOf(ctx.config.imports, (await loadOperation(ctx.db.kysely, operationId))?.publisher_id));
}

/** The staging directory of an operation (removed when the operation ends). */
export function stagingDir(ctx: AppContext, operationId: string): string {
  return path.join(ctx.config.dataDir, 'staging', operationId);
}

async function stagedDownload(ctx: AppContext, operationId: string, url: string, signal?: AbortSignal): Promise<string> {
  const dir = stagingDir(ctx, operationId);
  const file = path.join(dir, `${createHash('sha256').update(url).digest('hex').slice(0, 32)}.img`);
  try {
    await stat(file);
    return file;
  } catch {
    // not downloaded yet
  }
  await mkdir(dir, { recursive: true });
  const partial = `${file}.partial`;
  try {
    await downloadToFile(url, partial, { config: ctx.config, signal });
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return file;
}

/** One disk of the publication with its content identity (from the certify step). */
export interface DiskArtifact extends PlanDisk {
  sha256: string;
  size: number;
}

/** Every disk of every plan with the hash and size certification recorded for its source. */
export function certifiedDisks(offer: OfferSnapshot, artifacts: Record<string, any>): DiskArtifact[] {
  const images = (artifacts.certify?.images ?? {}) as Record<string, { sha256: string; size: number }>;
  return offer.plans.flatMap((plan) =>
    planDisks(plan).map((disk) => {
      const known = images[disk.source];
      if (!known) throw new VmarketError('INTERNAL', `No certified hash is recorded for ${disk.source}.`);
      return { ...disk, sha256: known.sha256, size: known.size };
    }),
  );
}

/** Removes the operation's staging directory (downloaded sources). */
export async function removeStaging(ctx: AppContext, op: Pick<OperationRow, 'id'>): Promise<void> {
  await rm(stagingDir(ctx, op.id), { recursive: true, force: true });
}
