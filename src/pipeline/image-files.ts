/**
 * The disk images of an operation as private, staged bytes. A publisher can write to the import
 * directory (and controls its https server), so a source is read exactly once: it is opened
 * safely (no symlink at the last component, no FIFO or device, still inside the import
 * directories), copied into the private staging area and hashed there, and from then on every
 * step (test drive, certify, provision) reads only the staged copy, found by its SHA-256. What a
 * publisher does to the source afterwards no longer matters.
 *
 * Layout under `<dataDir>/staging/` (directories 0700, files 0600):
 *   sha256/<hex>             the content, shared by every operation that staged the same bytes
 *   operations/<op>/<hex>    a hard link per operation that uses the content (its reference)
 *   incoming/<op>.<random>   a copy being written and hashed (linked into place or dropped when done)
 *
 * References are the hard links: an operation reads its own link, never the shared name, so
 * removing the shared name (when its link count says no operation links it any more) can never
 * take bytes from under an operation; at worst a later operation copies the content again
 * instead of reusing it. `removeStaging` drops an operation's links when it ends.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, copyFile, link, lstat, mkdir, open, readdir, readlink, realpath, rm, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { AppContext } from '../app/context.ts';
import { isVmarketError, VmarketError } from '../errors.ts';
import { type Phrase, say } from '../i18n/localized.ts';
import { confineImportPath, importDirsOf, isInside } from '../security/paths.ts';
import { downloadToFile } from '../security/urls.ts';
import { hashFile } from '../storage/hash.ts';
import type { TransferProgress } from '../storage/types.ts';
import { throwIfAborted } from '../util/abort.ts';
import { TERMINAL_STATUSES } from '../contracts/index.ts';
import { loadOperation, type OperationRow } from './operations.ts';
import { planDisks, type OfferSnapshot, type PlanDisk } from './offer-snapshot.ts';

/** The content identity of a staged source, recorded in the operation by the first step that read it. */
export interface ImageIdentity {
  sha256: string;
  size: number;
}

/** A staged source: the operation's private file and its content identity. */
export interface StagedImage extends ImageIdentity {
  file: string;
}

const notARegularFile: Phrase<[string]> = {
  en: (source) => `The image ${source} is not a regular file (a pipe, device, directory or symbolic link is refused).`,
  de: (source) => `Das Image ${source} ist keine reguläre Datei (eine Pipe, ein Gerät, ein Verzeichnis oder ein symbolischer Link wird abgelehnt).`,
};
const leftImportDirs: Phrase<[string]> = {
  en: (source) => `The image ${source} is no longer inside the allowed import directories.`,
  de: (source) => `Das Image ${source} liegt nicht mehr in den erlaubten Importverzeichnissen.`,
};
const cannotOpen: Phrase<[string]> = {
  en: (source) => `The image ${source} cannot be opened.`,
  de: (source) => `Das Image ${source} kann nicht geöffnet werden.`,
};
const cannotRead: Phrase<[string]> = {
  en: (source) => `The image ${source} could not be read to the end.`,
  de: (source) => `Das Image ${source} konnte nicht bis zum Ende gelesen werden.`,
};
const changedSinceRecorded: Phrase<[string]> = {
  en: (source) => `The image ${source} changed since it was certified; publish again to certify the new image.`,
  de: (source) => `Das Image ${source} hat sich seit seiner Zertifizierung geändert; veröffentlichen Sie erneut, um das neue Image zu zertifizieren.`,
};

const HEX = /^[0-9a-f]{64}$/;

function stagingRoot(ctx: AppContext): string {
  return path.join(ctx.config.dataDir, 'staging');
}
function sharedFile(ctx: AppContext, sha256: string): string {
  return path.join(stagingRoot(ctx), 'sha256', sha256);
}
function operationDir(ctx: AppContext, operationId: string): string {
  return path.join(stagingRoot(ctx), 'operations', operationId);
}
function incomingDir(ctx: AppContext): string {
  return path.join(stagingRoot(ctx), 'incoming');
}

/** Creates the staging directories, private to the server's user. */
async function privateDirs(ctx: AppContext, operationId: string): Promise<void> {
  const root = stagingRoot(ctx);
  await mkdir(root, { recursive: true, mode: 0o700 });
  await chmod(root, 0o700);
  for (const dir of [path.join(root, 'sha256'), operationDir(ctx, operationId), incomingDir(ctx)]) await mkdir(dir, { recursive: true, mode: 0o700 });
}

export interface StageOptions {
  /** The identity recorded by an earlier step: the staged copy is reused, a fresh one must match it. */
  expected?: ImageIdentity;
  signal?: AbortSignal;
  onProgress?: (progress: TransferProgress) => void;
}

/**
 * The operation's staged copy of `source` (an import path or an https URL). With `expected`, the
 * copy this operation already holds is used as it is; when it is missing (another machine of a
 * scale-out ran the earlier step) the source is staged again and must still hash to `expected`,
 * else IMAGE_CHANGED ("the image changed since it was certified").
 */
export async function stagedImage(ctx: AppContext, operationId: string, source: string, options: StageOptions = {}): Promise<StagedImage> {
  const { expected } = options;
  if (expected) {
    const held = await heldImage(ctx, operationId, expected);
    if (held) return held;
  }
  await privateDirs(ctx, operationId);
  const temp = path.join(incomingDir(ctx), `${operationId}.${randomBytes(8).toString('hex')}`);
  try {
    const identity = /^https?:\/\//i.test(source) ? await stageDownload(ctx, source, temp, options) : await stageImport(ctx, operationId, source, temp, options);
    if (expected && (identity.sha256 !== expected.sha256 || identity.size !== expected.size)) {
      throw new VmarketError('IMAGE_CHANGED', say(changedSinceRecorded, source), {
        details: [{ path: 'sha256', message: `recorded ${expected.sha256} (${expected.size} bytes), now ${identity.sha256} (${identity.size} bytes)` }],
      });
    }
    return { ...identity, file: await adopt(ctx, operationId, temp, identity.sha256) };
  } finally {
    await rm(temp, { force: true });
  }
}

/** This operation's staged copy of the content, when it holds one of the right size. */
async function heldImage(ctx: AppContext, operationId: string, expected: ImageIdentity): Promise<StagedImage | undefined> {
  if (!HEX.test(expected.sha256)) return undefined;
  const file = path.join(operationDir(ctx, operationId), expected.sha256);
  const info = await lstat(file).catch(() => undefined);
  return info?.isFile() && info.size === expected.size ? { ...expected, file } : undefined;
}

/**
 * Moves a hashed copy into place: the operation links the shared content when it is already
 * staged (the copy is dropped), else the copy becomes the shared content. Returns the operation's link.
 */
async function adopt(ctx: AppContext, operationId: string, temp: string, sha256: string): Promise<string> {
  const mine = path.join(operationDir(ctx, operationId), sha256);
  if (await lstat(mine).then((i) => i.isFile(), () => false)) return mine;
  try {
    await link(sharedFile(ctx, sha256), mine);
    return mine;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return mine;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  // The operation's link first: from here on its bytes are held whatever another operation's clean-up does.
  await link(temp, mine).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  await link(temp, sharedFile(ctx, sha256)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return mine;
}

/**
 * Opens an import file once and copies it. `confineImportPath` gives the real path inside the
 * import directories; between that check and the open the publisher may swap the file, so the
 * open itself refuses a symlink at the last component (O_NOFOLLOW) and does not wait for a writer
 * on a FIFO (O_NONBLOCK); `fstat` of the handle then refuses anything but a regular file, and the
 * handle's own path (/proc/self/fd) must still be inside the import directories (a directory
 * component swapped for a symlink). The copy then reads that checked inode, blocking (a
 * regular file never waits).
 */
async function stageImport(ctx: AppContext, operationId: string, source: string, temp: string, options: StageOptions): Promise<ImageIdentity> {
  const dirs = importDirsOf(ctx.config.imports, (await loadOperation(ctx.db.kysely, operationId))?.publisher_id);
  const real = await confineImportPath(source, dirs);
  const handle = await openRegularFile(real, source, dirs);
  try {
    // The kernel copies (copy_file_range, a reflink where the file system has them): measured
    // 1.5 s + 2.9 s for hashing the copy, against 9 s for reading, hashing and writing 8 MiB
    // chunks in Node, for 1 GiB. /proc/self/fd/<fd> opens the very file this handle holds (the
    // inode checked above), not the path, so the copy reads what was checked.
    await copyFile(`/proc/self/fd/${handle.fd}`, temp, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
  } catch (error) {
    throw new VmarketError('FILE_UNREADABLE', say(cannotRead, source), { cause: error });
  } finally {
    await handle.close();
  }
  await chmod(temp, 0o600);
  throwIfAborted(options.signal, 'Staging');
  return hashStaged(temp, source, options);
}

/** `file` opened for reading, refused unless it is a regular file inside `allowedDirs`. Exported for its tests. */
export async function openRegularFile(file: string, source: string, allowedDirs: readonly string[]): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'EISDIR' || code === 'ENXIO') throw new VmarketError('FILE_UNREADABLE', say(notARegularFile, source), { cause: error });
    throw new VmarketError('FILE_UNREADABLE', say(cannotOpen, source), { cause: error });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new VmarketError('FILE_UNREADABLE', say(notARegularFile, source));
    const opened = await readlink(`/proc/self/fd/${handle.fd}`);
    const dirs = await Promise.all(allowedDirs.map((d) => realpath(path.resolve(d)).catch(() => undefined)));
    if (!dirs.some((d) => d !== undefined && isInside(d, opened))) throw new VmarketError('PATH_NOT_ALLOWED', say(leftImportDirs, source));
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** An https source is downloaded into the private incoming file, then hashed there (see `hashStaged`). */
async function stageDownload(ctx: AppContext, url: string, temp: string, options: StageOptions): Promise<ImageIdentity> {
  await downloadToFile(url, temp, { config: ctx.config, signal: options.signal });
  await chmod(temp, 0o600);
  return hashStaged(temp, url, options);
}

/**
 * Hashes the private copy: only the server writes it, so its hash is the hash of the bytes every
 * later step reads, whatever the publisher does to the source meanwhile (even writing into it).
 */
async function hashStaged(temp: string, source: string, options: StageOptions): Promise<ImageIdentity> {
  try {
    return await hashFile(temp, options.onProgress, options.signal);
  } catch (error) {
    if (isVmarketError(error) && error.code === 'CANCELED') throw error;
    throw new VmarketError('FILE_UNREADABLE', say(cannotRead, source), { cause: error });
  }
}

/**
 * The identities the operation recorded so far, by source: the test drive's image (test-drive
 * runs first and stages the OS disk it replicates) and certification's images. A step passes the
 * one of its source as `expected`, so no step stages a different content for the same source.
 */
export function recordedImages(artifacts: Record<string, any>, checkpoint?: { staged?: Record<string, ImageIdentity> }): Record<string, ImageIdentity> {
  const out: Record<string, ImageIdentity> = {};
  const add = (source: unknown, identity: any) => {
    if (typeof source === 'string' && typeof identity?.sha256 === 'string' && typeof identity?.size === 'number') {
      out[source] = { sha256: identity.sha256, size: identity.size };
    }
  };
  const testDrive = artifacts['test-drive'];
  add(testDrive?.source, testDrive);
  for (const [source, identity] of Object.entries(artifacts.certify?.images ?? {})) add(source, identity);
  for (const [source, identity] of Object.entries(checkpoint?.staged ?? {})) add(source, identity);
  return out;
}

/**
 * `error` with each staged file's path replaced by the source it stands for: errors become step
 * messages publishers read, and a staged path is the server's (the engine's and the stores'
 * messages name the file they read).
 */
export function withSourceNames(error: unknown, files: readonly (readonly [file: string, source: string])[]): unknown {
  if (!isVmarketError(error)) return error;
  const hide = (text: string) => withSourceName(text, files);
  const text = error.localized ? { en: hide(error.localized.en), de: hide(error.localized.de) } : hide(error.message);
  return new VmarketError(error.code, text, { details: error.details.map((d) => ({ ...d, message: hide(d.message) })), cause: error });
}

/** `text` with each staged file's path replaced by its source. */
export function withSourceName(text: string, files: readonly (readonly [file: string, source: string])[]): string {
  return files.reduce((t, [file, source]) => t.split(file).join(source), text);
}

/** One disk of the publication with its content identity (from the certify step). */
export interface DiskArtifact extends PlanDisk {
  sha256: string;
  size: number;
  /** The disk format certification read (absent in operations older than delivery formats). */
  format?: string;
  /** SHA-256 of the virtual disk: from the certification report, else the one provisioning computed. */
  virtualSha256?: string;
  /** The OS disk's SBOM (CycloneDX), by the SHA-256 of its bytes: `GET …/certification/sbom` serves it. */
  sbom?: ImageSbom;
}

/** What a signed package says of an image's SBOM (docs/contracts.md §7). */
export interface ImageSbom {
  sha256: string;
  components: number;
  format: string;
}

/** What the certify step records per source (`artifacts.certify.images`). */
export interface CertifiedImage extends ImageIdentity {
  format?: string;
  virtualSize?: number;
  virtualSha256?: string;
  sbom?: ImageSbom;
}

/** Every disk of every plan with the hash and size certification recorded for its source. */
export function certifiedDisks(offer: OfferSnapshot, artifacts: Record<string, any>): DiskArtifact[] {
  const images = (artifacts.certify?.images ?? {}) as Record<string, CertifiedImage>;
  const computed = (artifacts.provision?.virtualSha256 ?? {}) as Record<string, string>;
  return offer.plans.flatMap((plan) =>
    planDisks(plan).map((disk) => {
      const known = images[disk.source];
      if (!known) throw new VmarketError('INTERNAL', `No certified hash is recorded for ${disk.source}.`);
      const virtualSha256 = known.virtualSha256 ?? (Object.hasOwn(computed, known.sha256) ? computed[known.sha256] : undefined);
      return { ...disk, sha256: known.sha256, size: known.size, format: known.format, virtualSha256, ...(known.sbom ? { sbom: known.sbom } : {}) };
    }),
  );
}

/**
 * A fresh path for a file the operation writes itself (a converted disk) in its private staging
 * directory: never a content name, so `removeStaging` deletes it when the operation ends.
 */
export async function operationScratchFile(ctx: AppContext, operationId: string, label: string): Promise<string> {
  await privateDirs(ctx, operationId);
  return path.join(operationDir(ctx, operationId), `${label}.${randomBytes(8).toString('hex')}.partial`);
}

/**
 * Drops the operation's staged copies when it ends (succeeded, failed, canceled): its links go,
 * then each shared content no other operation links (link count 1: the shared name alone) goes
 * too, and so do its unfinished copies. Idempotent.
 */
export async function removeStaging(ctx: AppContext, op: Pick<OperationRow, 'id'>): Promise<void> {
  const dir = operationDir(ctx, op.id);
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    await rm(path.join(dir, name), { force: true });
    if (!HEX.test(name)) continue;
    const shared = sharedFile(ctx, name);
    const info = await lstat(shared).catch(() => undefined);
    // another operation linking it right after this check keeps its own link: nothing is lost
    if (info?.isFile() && info.nlink === 1) await unlink(shared).catch(() => undefined);
  }
  await rm(dir, { recursive: true, force: true });
  const incoming = await readdir(incomingDir(ctx)).catch(() => [] as string[]);
  for (const name of incoming) if (name.startsWith(`${op.id}.`)) await rm(path.join(incomingDir(ctx), name), { force: true });
  // the layout before content addressing: one directory per operation (never one of the layout's own)
  if (!['sha256', 'operations', 'incoming'].includes(op.id)) await rm(path.join(stagingRoot(ctx), op.id), { recursive: true, force: true });
}

/**
 * Removes what ended operations left staged: `removeStaging` runs when an operation ends, but a
 * process that died at that moment (or mid-copy, leaving `incoming/<op>.*`) leaves bytes behind
 * for good. An operation's staging is removed here only when the database says it has ended or
 * does not exist, so an operation still under way (on this or another worker) keeps its copies.
 * Answers the operation ids cleaned up.
 */
export async function sweepStaging(ctx: AppContext): Promise<string[]> {
  const root = stagingRoot(ctx);
  const held = await readdir(path.join(root, 'operations')).catch(() => [] as string[]);
  const incoming = await readdir(incomingDir(ctx)).catch(() => [] as string[]);
  const ids = [...new Set([...held, ...incoming.map((name) => name.slice(0, name.indexOf('.')))])].filter((id) => id.length > 0);
  if (ids.length === 0) return [];
  const rows = await ctx.db.kysely.selectFrom('operations').select(['id', 'status']).where('id', 'in', ids).execute();
  const active = new Set(rows.filter((r) => !TERMINAL_STATUSES.has(r.status)).map((r) => r.id));
  const ended = ids.filter((id) => !active.has(id));
  for (const id of ended) await removeStaging(ctx, { id });
  return ended;
}
