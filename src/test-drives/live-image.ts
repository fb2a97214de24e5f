/**
 * The image a test drive boots: the test-drive step's artifact of the operation that made the
 * offer's live slot (`{ planId, source, sha256, size, regions }`), read from the first of its
 * regions whose store holds it. A file-system region's object is a local file QEMU opens as the
 * overlay's backing file directly; an S3 region's is downloaded once into
 * `dataDir/test-drives/images/` and checked against its SHA-256.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { AppContext } from '../app/context.ts';
import type { DiskFormat } from '../contracts/index.ts';
import { VmarketError } from '../errors.ts';
import { say } from '../i18n/localized.ts';
import type { SlotDocument } from '../pipeline/packages.ts';
import { FsBlobStore } from '../storage/fs-store.ts';
import { hashFile, hashMismatchError } from '../storage/hash.ts';
import type { BlobStore } from '../storage/types.ts';
import { imageNotReady, noTestDrive } from './texts.ts';

export interface TestDriveImage {
  publisherId: string;
  offerId: string;
  planId: string;
  region: string;
  sha256: string;
  size: number;
  /** The format certification read; QEMU is told it (never left to guess). */
  format: DiskFormat;
  /** A local file holding exactly the image's bytes. */
  file: string;
  durationHours: number;
  hotInstances: number;
  userManualUrl: string | null;
  /** The offer's lead destination (`leads.destination`). */
  leadDestination: string;
}

interface TestDriveArtifact {
  planId: string;
  source: string;
  sha256: string;
  size: number;
  regions: string[];
}

/** What the live slot says about the test drive, without touching a store. */
export interface LiveTestDrive extends Omit<TestDriveImage, 'file' | 'region'> {
  regions: string[];
}

/** The live slot's test drive, or NOT_FOUND when the offer is not live or has none. */
export async function liveTestDrive(ctx: AppContext, publisherId: string, offerId: string): Promise<LiveTestDrive> {
  const key = `${publisherId}.${offerId}`;
  const row = await ctx.db.kysely
    .selectFrom('offers')
    .leftJoin('operations', 'operations.id', 'offers.live_operation_id')
    .select(['offers.live', 'operations.artifacts'])
    .where('offers.publisher_id', '=', publisherId)
    .where('offers.id', '=', offerId)
    .executeTakeFirst();
  const live = row?.live as SlotDocument | null | undefined;
  const td = live?.offer.testDrive;
  if (!live || !td?.enabled) throw new VmarketError('NOT_FOUND', say(noTestDrive, key));
  const artifacts = (row?.artifacts ?? {}) as Record<string, any>;
  const artifact = artifacts['test-drive'] as TestDriveArtifact | undefined;
  if (!artifact?.sha256) throw new VmarketError('NOT_FOUND', say(imageNotReady, key));
  const certified = artifacts.certify?.images?.[artifact.source] as { format?: string } | undefined;
  return {
    publisherId,
    offerId,
    planId: artifact.planId,
    regions: artifact.regions ?? [],
    sha256: artifact.sha256,
    size: artifact.size,
    format: (certified?.format ?? 'raw') as DiskFormat,
    durationHours: td.durationHours ?? 2,
    hotInstances: td.hotInstances ?? 0,
    userManualUrl: td.userManualUrl ?? null,
    leadDestination: String(live.offer.leads?.destination ?? 'none'),
  };
}

const downloads = new Map<string, Promise<string>>();

/** The first test-drive region whose store holds the image (NOT_FOUND when none does). */
export async function locateTestDriveImage(ctx: AppContext, drive: LiveTestDrive): Promise<{ region: string; store: BlobStore }> {
  for (const region of drive.regions) {
    const store = ctx.regions.get(region)?.store;
    if (store && (await store.has(drive.sha256, drive.size))) return { region, store };
  }
  throw new VmarketError('NOT_FOUND', say(imageNotReady, `${drive.publisherId}.${drive.offerId}`));
}

/** The live test drive with a local file of its image: the fs object itself, or the S3 object's cached download. */
export async function testDriveImage(ctx: AppContext, drive: LiveTestDrive, signal?: AbortSignal): Promise<TestDriveImage> {
  const { region, store } = await locateTestDriveImage(ctx, drive);
  if (store instanceof FsBlobStore) return { ...drive, region, file: store.objectPath(drive.sha256) };
  const cached = path.join(ctx.config.dataDir, 'test-drives', 'images', drive.sha256);
  let pending = downloads.get(cached);
  if (!pending) {
    pending = download(store, drive.sha256, drive.size, cached, signal).finally(() => downloads.delete(cached));
    downloads.set(cached, pending);
  }
  return { ...drive, region, file: await pending };
}

/** Downloads the object once into `file` (kept for the next VMs), verified by its hash. */
async function download(store: BlobStore, sha256: string, size: number, file: string, signal?: AbortSignal): Promise<string> {
  const present = await stat(file).catch(() => null);
  if (present?.isFile() && present.size === size) return file;
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await pipeline(await store.read(sha256), createWriteStream(temp), { signal });
    const got = await hashFile(temp, undefined, signal);
    if (got.sha256 !== sha256) throw hashMismatchError(sha256, size, got.sha256, got.size, store.description);
    await rename(temp, file);
    return file;
  } finally {
    await rm(temp, { force: true });
  }
}
