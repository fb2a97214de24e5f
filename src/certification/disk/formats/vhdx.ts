/**
 * VHDX (Microsoft "[MS-VHDX]: Virtual Hard Disk v2 File Format", Hyper-V and Azure's native
 * format): the header section (`vhdx-headers.ts`), the metadata region (`vhdx-metadata.ts`) and
 * the block allocation table (`vhdx-bat.ts`) give the virtual disk. A file whose log still holds
 * writes, or a differencing disk that needs its parent, is refused: the first reads as a disk
 * that was never written, the second would need another file.
 */
import { isVmarketError } from '../../../errors.ts';
import { fixed, type Localized, type Phrase, say } from '../../../i18n/localized.ts';
import type { RangeReader } from '../types.ts';
import { MappedDisk } from './mapped-disk.ts';
import type { FormatDetails, OpenedFormat } from './types.ts';
import { VhdxBlockMap } from './vhdx-bat.ts';
import { readActiveHeader, readFileIdentifier, readRegions, type VhdxHeader, type VhdxRegion } from './vhdx-headers.ts';
import { readMetadata } from './vhdx-metadata.ts';

const logNeedsReplay: Phrase<[at: number]> = {
  en: (at) =>
    `The VHDX file's log holds writes that were never applied to the disk (the active header at ${at / 1024} KiB names a log): it was not closed cleanly. Replay the log by opening and closing the disk once in Hyper-V (or with \`qemu-img check -r all\`, which replays it in place), convert it to a fresh file with \`qemu-img convert -O vhdx\`, and upload that.`,
  de: (at) =>
    `Das Log der VHDX-Datei enthält Schreibvorgänge, die nie auf den Datenträger übertragen wurden (der aktive Header bei ${at / 1024} KiB nennt ein Log): Sie wurde nicht sauber geschlossen. Spielen Sie das Log ein, indem Sie den Datenträger einmal in Hyper-V öffnen und schließen (oder mit \`qemu-img check -r all\`, das es an Ort und Stelle einspielt), konvertieren Sie ihn mit \`qemu-img convert -O vhdx\` in eine neue Datei und laden Sie diese hoch.`,
};
const differencingWithPath: Phrase<[path: string]> = {
  en: (path) => `The VHDX is a differencing disk: its data depends on the parent file "${path}", which is never opened. Merge it into a standalone disk (\`qemu-img convert -O vhdx\`) and upload that.`,
  de: (path) =>
    `Die VHDX ist ein differenzierender Datenträger: Ihre Daten hängen von der übergeordneten Datei „${path}“ ab, die nie geöffnet wird. Führen Sie sie zu einem eigenständigen Datenträger zusammen (\`qemu-img convert -O vhdx\`) und laden Sie diesen hoch.`,
};
const DIFFERENCING = fixed(
  'The VHDX is a differencing disk: its data depends on a parent file, which is never opened. Merge it into a standalone disk (`qemu-img convert -O vhdx`) and upload that.',
  'Die VHDX ist ein differenzierender Datenträger: Ihre Daten hängen von einer übergeordneten Datei ab, die nie geöffnet wird. Führen Sie sie zu einem eigenständigen Datenträger zusammen (`qemu-img convert -O vhdx`) und laden Sie diesen hoch.',
);

export async function openVhdx(file: RangeReader): Promise<OpenedFormat> {
  const problems: Localized[] = [];
  const creator = await readFileIdentifier(file);
  const header = await readActiveHeader(file, problems);
  if (header.logGuid !== null) return logRefusal(file, header, problems);
  const regions = await readRegions(file, problems);
  const metadata = await readMetadata(file, regions.metadata);
  const details: FormatDetails = {
    blockSize: metadata.blockSize,
    logicalSectorSize: metadata.logicalSectorSize,
    physicalSectorSize: metadata.physicalSectorSize,
    // qemu-img (subformat=fixed) and Hyper-V set LeaveBlockAllocated exactly for fixed disks
    subformat: metadata.hasParent ? 'differencing' : metadata.leaveBlockAllocated ? 'fixed' : 'dynamic',
    ...(creator ? { creator } : {}),
  };
  const base = { format: 'vhdx' as const, virtualSize: metadata.virtualSize, problems, details };
  if (metadata.hasParent) {
    return { ...base, disk: null, refusals: [metadata.parentPath ? say(differencingWithPath, metadata.parentPath) : DIFFERENCING] };
  }
  const map = new VhdxBlockMap(file, regions.bat, metadata, reservedRanges(file, header, regions.all));
  return { ...base, disk: new MappedDisk(file, metadata.virtualSize, map), refusals: [] };
}

/**
 * A log to replay: refused without reading further. The virtual size is still named when the
 * metadata reads, but damage found there is no problem to report: replaying the log may be what
 * repairs it.
 */
async function logRefusal(file: RangeReader, header: VhdxHeader, problems: Localized[]): Promise<OpenedFormat> {
  let virtualSize = 0;
  try {
    virtualSize = (await readMetadata(file, (await readRegions(file, [])).metadata)).virtualSize;
  } catch (error) {
    if (!isVmarketError(error)) throw error;
  }
  return { format: 'vhdx', virtualSize, disk: null, problems, refusals: [say(logNeedsReplay, header.at)] };
}

/** Where no data block may lie: every region and the log (when its place is sane; with no log to replay it is unused). */
function reservedRanges(file: RangeReader, header: VhdxHeader, regions: VhdxRegion[]): { start: number; end: number }[] {
  const ranges = regions.map((region) => ({ start: region.fileOffset, end: region.fileOffset + region.length }));
  if (header.logLength > 0 && Number.isSafeInteger(header.logOffset) && header.logOffset + header.logLength <= file.size) {
    ranges.push({ start: header.logOffset, end: header.logOffset + header.logLength });
  }
  return ranges;
}
