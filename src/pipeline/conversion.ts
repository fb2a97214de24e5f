/**
 * One delivery conversion: the certified file converted to a region's format with qemu-img,
 * checked, stored content-addressed in the primary store and recorded (`disk_conversions`).
 * The check reads the converted file back through vmarket's own virtual-disk layer: its virtual
 * disk must hash to the certified disk's, so a customer downloading any format gets exactly the
 * disk certification read, not merely what qemu-img thought it wrote. A pair converted before
 * (an unchanged image republished) is reused while the primary store holds it: qemu-img's
 * VHD, VMDK and VHDX outputs carry timestamps and UUIDs, so converting again would give other
 * bytes and copy them to every region again.
 */
import { rm } from 'node:fs/promises';
import type { AppContext } from '../app/context.ts';
import { virtualDiskSha256 } from '../certification/disk/virtual-hash.ts';
import type { DeliveryTarget } from '../contracts/catalog.ts';
import { VmarketError } from '../errors.ts';
import { type Phrase, say } from '../i18n/localized.ts';
import { hashFile } from '../storage/hash.ts';
import { convertWithQemuImg, requireQemuImg } from '../storage/qemu-img.ts';
import type { StoredCopy } from './delivery.ts';
import { operationScratchFile } from './image-files.ts';

const notReproduced: Phrase<[string, string, string, string]> = {
  en: (source, target, expected, got) =>
    `The ${target} conversion of ${source} does not reproduce the certified disk (virtual disk sha256 ${got.slice(0, 12)}…, certified ${expected.slice(0, 12)}…); nothing was stored.`,
  de: (source, target, expected, got) =>
    `Die ${target}-Umwandlung von ${source} gibt den zertifizierten Datenträger nicht wieder (virtueller Datenträger sha256 ${got.slice(0, 12)}…, zertifiziert ${expected.slice(0, 12)}…); nichts wurde gespeichert.`,
};

export interface ConversionRequest {
  operationId: string;
  /** The staged certified file and what certification recorded of it. */
  file: string;
  source: { name: string; sha256: string; format: string; virtualSha256: string };
  target: DeliveryTarget;
  signal?: AbortSignal;
  /** Told once when qemu-img starts (not when an earlier conversion is reused). */
  onConverting?: () => Promise<void>;
  /** Fraction of the conversion done (qemu-img's), then of the checks. */
  onProgress?: (fraction: number) => void;
}

export interface ConversionResult {
  copy: StoredCopy;
  /** Bytes written into the primary store (0 when an earlier conversion was reused). */
  bytesCopied: number;
  /** An earlier publication's conversion, still in the primary store. */
  reused: boolean;
}

/** The conversion recorded for the pair, when the primary store still holds it. */
async function reusableConversion(ctx: AppContext, sourceSha256: string, target: DeliveryTarget): Promise<StoredCopy | undefined> {
  const row = await ctx.db.kysely
    .selectFrom('disk_conversions')
    .select(['sha256', 'size', 'virtual_sha256'])
    .where('source_sha256', '=', sourceSha256)
    .where('format', '=', target)
    .executeTakeFirst();
  if (!row) return undefined;
  const copy = { sha256: row.sha256, size: Number(row.size), virtualSha256: row.virtual_sha256 };
  return (await ctx.primary.has(copy.sha256, copy.size)) ? copy : undefined;
}

/** Records (or replaces: the old object is gone from the primary store) the pair's conversion. */
async function recordConversion(ctx: AppContext, sourceSha256: string, target: DeliveryTarget, copy: StoredCopy): Promise<void> {
  const values = { sha256: copy.sha256, size: copy.size, virtual_sha256: copy.virtualSha256 };
  await ctx.db.kysely
    .insertInto('disk_conversions')
    .values({ source_sha256: sourceSha256, format: target, ...values })
    .onConflict((oc) => oc.columns(['source_sha256', 'format']).doUpdateSet({ ...values, created_at: new Date() }))
    .execute();
}

/**
 * Makes the primary store hold `request.source` as `request.target`. Throws TOOL_MISSING without
 * qemu-img, CANCELED on abort (qemu-img killed, its partial output removed), IMAGE_UNSUPPORTED
 * when the converted virtual disk is not the certified one.
 */
export async function convertForDelivery(ctx: AppContext, request: ConversionRequest): Promise<ConversionResult> {
  const { source, target } = request;
  const earlier = await reusableConversion(ctx, source.sha256, target);
  if (earlier) return { copy: earlier, bytesCopied: 0, reused: true };
  const qemuImg = requireQemuImg(ctx.config.conversion.qemuImg, ctx.env.PATH ?? process.env.PATH);
  await request.onConverting?.();
  const output = await operationScratchFile(ctx, request.operationId, `convert-${target}`);
  try {
    // qemu-img does most of the work; the two reads of its output (hash, virtual disk) the rest
    await convertWithQemuImg({
      qemuImg,
      sourceFormat: source.format,
      target,
      input: request.file,
      output,
      signal: request.signal,
      onProgress: (f) => request.onProgress?.(f * 0.8),
    });
    // the file's hash (its key in the stores) and its virtual disk's, read at once: both read
    // the file qemu-img just wrote, mostly from the page cache, each on its own core
    const [stored, virtual] = await Promise.all([
      hashFile(output, undefined, request.signal),
      virtualDiskSha256(output, {
        declared: { format: target },
        signal: request.signal,
        onProgress: (done, total) => request.onProgress?.(0.8 + (0.2 * done) / Math.max(1, total)),
      }),
    ]);
    if (virtual.sha256 !== source.virtualSha256) {
      // not retried: converting the same file again gives the same disk
      throw new VmarketError('IMAGE_UNSUPPORTED', say(notReproduced, source.name, target, source.virtualSha256, virtual.sha256));
    }
    const { bytesCopied } = await ctx.primary.putFile(output, stored.sha256, { signal: request.signal });
    const copy = { sha256: stored.sha256, size: stored.size, virtualSha256: virtual.sha256 };
    await recordConversion(ctx, source.sha256, target, copy);
    return { copy, bytesCopied, reused: false };
  } finally {
    await rm(output, { force: true });
  }
}
