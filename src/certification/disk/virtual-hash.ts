/**
 * The SHA-256 of an image's virtual disk: the bytes a VM sees, read through the format's reader.
 * It is the same for every container format of one disk (raw, qcow2, VMDK, VHD, VHDX), so it
 * ties a converted copy to the certified disk: provisioning checks each conversion by it, and the
 * package names it so that a customer can check any download.
 */
import { createHash } from 'node:crypto';
import { VmarketError } from '../../errors.ts';
import { join, type Phrase } from '../../i18n/localized.ts';
import type { ImageFormat } from '../types.ts';
import { openFileReader } from './file-reader.ts';
import { openImageFormat } from './formats/index.ts';
import type { DeclaredImage } from './types.ts';

const CHUNK = 4 * 1024 * 1024;

export interface VirtualDiskHash {
  format: ImageFormat;
  virtualSize: number;
  /** SHA-256 (hex) of the virtual disk's bytes. */
  sha256: string;
}

export interface VirtualHashOptions {
  declared?: DeclaredImage;
  signal?: AbortSignal;
  /** Virtual bytes hashed so far, after each chunk. */
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

const unreadable: Phrase<[name: string, why: string]> = {
  en: (name, why) => `The virtual disk of ${name} cannot be read: ${why}`,
  de: (name, why) => `Der virtuelle Datenträger von ${name} kann nicht gelesen werden: ${why}`,
};

/** Reads the whole virtual disk of `path`; IMAGE_UNSUPPORTED when the format layer refuses or cannot open it. */
export async function virtualDiskSha256(path: string, options: VirtualHashOptions = {}): Promise<VirtualDiskHash> {
  const file = await openFileReader(path);
  try {
    const { info, disk } = await openImageFormat(file.reader, options.declared);
    if (!disk) {
      const why = join([...info.refusals, ...info.problems], ' ');
      throw new VmarketError('IMAGE_UNSUPPORTED', { en: unreadable.en(options.declared?.name ?? path, why.en), de: unreadable.de(options.declared?.name ?? path, why.de) });
    }
    const hash = createHash('sha256');
    for (let at = 0; at < disk.size; at += CHUNK) {
      if (options.signal?.aborted) throw new VmarketError('CANCELED', 'hashing the virtual disk was canceled');
      hash.update(await disk.read(at, Math.min(CHUNK, disk.size - at)));
      options.onProgress?.(Math.min(disk.size, at + CHUNK), disk.size);
    }
    return { format: info.format, virtualSize: disk.size, sha256: hash.digest('hex') };
  } finally {
    await file.close();
  }
}
