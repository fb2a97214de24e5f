/**
 * What the runner must know of an image before starting it, read by the certification engine's
 * own readers (never guessed by QEMU): its container format, and whether it is a GPT disk with
 * an EFI system partition (then it boots with UEFI firmware; anything else with the BIOS).
 */
import type { DiskFormat } from '../contracts/certification.ts';
import { VmarketError } from '../errors.ts';
import { openFileReader } from '../certification/disk/file-reader.ts';
import { openImageFormat } from '../certification/disk/formats/index.ts';
import { readPartitionTable } from '../certification/disk/partitions.ts';
import type { Firmware } from './types.ts';

const EFI_SYSTEM = 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b';

export interface DiskFacts {
  format: DiskFormat;
  firmware: Firmware;
}

export async function diskFacts(image: string): Promise<DiskFacts> {
  const file = await openFileReader(image);
  try {
    const opened = await openImageFormat(file.reader);
    const format = opened.info.format;
    if (!opened.disk || format === 'unknown' || format === 'vhd-differencing' || opened.info.refusals.length > 0) {
      throw new VmarketError('IMAGE_UNSUPPORTED', `The image ${image} cannot be booted: certification does not read it as a disk (${format}).`);
    }
    const table = await readPartitionTable(opened.disk);
    const esp = table.scheme === 'gpt' && table.partitions.some((p) => p.type === EFI_SYSTEM);
    return { format, firmware: esp ? 'uefi' : 'bios' };
  } finally {
    await file.close();
  }
}
