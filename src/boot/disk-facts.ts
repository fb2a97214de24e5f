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
/** The boot code area of an MBR, before the disk signature and the partition table. */
const MBR_CODE_BYTES = 440;

export interface DiskFacts {
  format: DiskFormat;
  firmware: Firmware;
  /** Sector 0 holds boot code (its first 440 bytes are not all zero): a BIOS has something to run. */
  bootCode: boolean;
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
    // a GPT's protective MBR keeps the 0x55AA signature over zeroed code: SeaBIOS then jumps into zeros and hangs
    const code = await opened.disk.read(0, Math.min(MBR_CODE_BYTES, opened.disk.size));
    return { format, firmware: esp ? 'uefi' : 'bios', bootCode: code.some((b) => b !== 0) };
  } finally {
    await file.close();
  }
}
