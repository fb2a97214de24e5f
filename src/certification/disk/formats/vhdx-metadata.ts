/**
 * The VHDX metadata region ([MS-VHDX] 2.6): a 64 KiB table of items by GUID, then the items. The
 * reader needs five of them (file parameters, virtual disk size, logical and physical sector
 * size, the page 83 disk id) and looks at the parent locator of a differencing disk only to name
 * the parent in the refusal. An unknown item marked required means the disk cannot be read
 * correctly without understanding it.
 */
import { VmarketError } from '../../../errors.ts';
import { type Localized, type Phrase, say } from '../../../i18n/localized.ts';
import { formatGuid } from '../partition-types.ts';
import type { RangeReader } from '../types.ts';
import { KiB, MiB, type VhdxRegion } from './vhdx-headers.ts';

const TABLE_BYTES = 64 * KiB;
const ENTRY_BYTES = 32;
export const MAX_METADATA_ENTRIES = 2047;
/** The spec caps an item at 1 MiB; the parent locator is the only one larger than 16 bytes. */
const MAX_ITEM_BYTES = MiB;
/** [MS-VHDX] 2.2: at most 64 TB. */
const MAX_VIRTUAL_SIZE = 64 * 1024 ** 4;
const MAX_PARENT_PATH = 260;

const FILE_PARAMETERS = 'caa16737-fa36-4d43-b3b6-33f0aa44e76b';
const VIRTUAL_DISK_SIZE = '2fa54224-cd1b-4876-b211-5dbed83bf4b8';
const PAGE_83_DATA = 'beca12ab-b2e6-4523-93ef-c309e000c746';
const LOGICAL_SECTOR_SIZE = '8141bf1d-a96f-4709-ba47-f233a8faab5f';
const PHYSICAL_SECTOR_SIZE = 'cda348c7-445d-4471-9cc9-e9885251c556';
const PARENT_LOCATOR = 'a8d35f2d-b30b-454d-abf7-d3d84834ab0c';

/** The items the reader needs, with the size each has and the name a sentence uses for it. */
const NEEDED: Record<string, { bytes: number; name: string }> = {
  [FILE_PARAMETERS]: { bytes: 8, name: 'File Parameters' },
  [VIRTUAL_DISK_SIZE]: { bytes: 8, name: 'Virtual Disk Size' },
  [PAGE_83_DATA]: { bytes: 16, name: 'Page 83 Data' },
  [LOGICAL_SECTOR_SIZE]: { bytes: 4, name: 'Logical Sector Size' },
  [PHYSICAL_SECTOR_SIZE]: { bytes: 4, name: 'Physical Sector Size' },
};

export interface VhdxMetadata {
  blockSize: number;
  /** Blocks stay allocated once written: a fixed VHDX. */
  leaveBlockAllocated: boolean;
  hasParent: boolean;
  virtualSize: number;
  logicalSectorSize: number;
  physicalSectorSize: number;
  /** The parent's path from the parent locator (printable, short), when there is one. */
  parentPath: string | null;
}

const noSignature: Phrase = {
  en: () => 'The VHDX metadata table lacks the signature "metadata".',
  de: () => 'Der VHDX-Metadatentabelle fehlt die Signatur „metadata“.',
};
const tooManyEntries: Phrase<[count: number]> = {
  en: (count) => `The VHDX metadata table declares ${count} entries; at most ${MAX_METADATA_ENTRIES} fit.`,
  de: (count) => `Die VHDX-Metadatentabelle gibt ${count} Einträge an; höchstens ${MAX_METADATA_ENTRIES} passen hinein.`,
};
const itemOutside: Phrase<[guid: string, offset: number, length: number, regionLength: number]> = {
  en: (guid, offset, length, region) => `The VHDX metadata item ${guid} (${length} bytes at offset ${offset}) lies outside the items area of the ${region}-byte metadata region.`,
  de: (guid, offset, length, region) => `Das VHDX-Metadatenelement ${guid} (${length} Byte ab Offset ${offset}) liegt außerhalb des Elementbereichs der ${region} Byte großen Metadatenregion.`,
};
const itemTwice: Phrase<[guid: string]> = {
  en: (guid) => `The VHDX metadata table lists the item ${guid} twice.`,
  de: (guid) => `Die VHDX-Metadatentabelle führt das Element ${guid} zweimal auf.`,
};
const unknownRequiredItem: Phrase<[guid: string]> = {
  en: (guid) => `The VHDX file has a metadata item ${guid} that vmarket does not know and that is marked as required to read the disk.`,
  de: (guid) => `Die VHDX-Datei hat ein Metadatenelement ${guid}, das vmarket nicht kennt und das als zum Lesen des Datenträgers erforderlich markiert ist.`,
};
const itemMissing: Phrase<[name: string]> = {
  en: (name) => `The VHDX metadata has no ${name} item, or it has the wrong size.`,
  de: (name) => `Den VHDX-Metadaten fehlt das Element ${name}, oder es hat die falsche Größe.`,
};
const badBlockSize: Phrase<[size: number]> = {
  en: (size) => `The VHDX block size of ${size} bytes is not a power of two from 1 MiB to 256 MiB.`,
  de: (size) => `Die VHDX-Blockgröße von ${size} Byte ist keine Zweierpotenz von 1 MiB bis 256 MiB.`,
};
const badSectorSize: Phrase<[kind: 'logical' | 'physical', size: number]> = {
  en: (kind, size) => `The VHDX ${kind} sector size is ${size} bytes; only 512 and 4096 exist.`,
  de: (kind, size) => `Die ${kind === 'logical' ? 'logische' : 'physische'} VHDX-Sektorgröße ist ${size} Byte; es gibt nur 512 und 4096.`,
};
const badVirtualSize: Phrase<[size: string, sector: number]> = {
  en: (size, sector) => `The VHDX virtual disk size of ${size} bytes is not a multiple of the ${sector}-byte sector or exceeds 64 TB.`,
  de: (size, sector) => `Die virtuelle VHDX-Datenträgergröße von ${size} Byte ist kein Vielfaches des ${sector} Byte großen Sektors oder übersteigt 64 TB.`,
};

interface Item {
  offset: number;
  length: number;
}

export async function readMetadata(file: RangeReader, region: VhdxRegion): Promise<VhdxMetadata> {
  const table = await file.read(region.fileOffset, TABLE_BYTES);
  if (table.toString('latin1', 0, 8) !== 'metadata') throw new VmarketError('IMAGE_CORRUPT', say(noSignature));
  const count = table.readUInt16LE(10);
  if (count > MAX_METADATA_ENTRIES) throw new VmarketError('IMAGE_CORRUPT', say(tooManyEntries, count));
  const items = new Map<string, Item>();
  for (let i = 0; i < count; i++) {
    const entry = table.subarray(ENTRY_BYTES * (i + 1), ENTRY_BYTES * (i + 2));
    const guid = formatGuid(entry.subarray(0, 16));
    const offset = entry.readUInt32LE(16);
    const length = entry.readUInt32LE(20);
    const required = (entry.readUInt32LE(24) & 4) !== 0;
    if (items.has(guid)) throw new VmarketError('IMAGE_CORRUPT', say(itemTwice, guid));
    if (!(guid in NEEDED) && guid !== PARENT_LOCATOR) {
      if (required) throw new VmarketError('IMAGE_UNSUPPORTED', say(unknownRequiredItem, guid));
      continue;
    }
    // a zero-length item has offset 0 by the spec; any other lies after the table, inside the region
    if (length > 0 && (offset < TABLE_BYTES || length > MAX_ITEM_BYTES || offset + length > region.length)) {
      throw new VmarketError('IMAGE_CORRUPT', say(itemOutside, guid, offset, length, region.length));
    }
    items.set(guid, { offset, length });
  }

  const read = async (guid: string): Promise<Buffer> => {
    const item = items.get(guid);
    const { bytes, name } = NEEDED[guid];
    if (!item || item.length < bytes) throw new VmarketError('IMAGE_CORRUPT', say(itemMissing, name));
    return file.read(region.fileOffset + item.offset, bytes);
  };
  const [parameters, size, logical, physical] = await Promise.all([read(FILE_PARAMETERS), read(VIRTUAL_DISK_SIZE), read(LOGICAL_SECTOR_SIZE), read(PHYSICAL_SECTOR_SIZE), read(PAGE_83_DATA)]);

  const blockSize = parameters.readUInt32LE(0);
  if (blockSize < MiB || blockSize > 256 * MiB || (blockSize & (blockSize - 1)) !== 0) throw new VmarketError('IMAGE_CORRUPT', say(badBlockSize, blockSize));
  const logicalSectorSize = logical.readUInt32LE(0);
  if (logicalSectorSize !== 512 && logicalSectorSize !== 4096) throw new VmarketError('IMAGE_CORRUPT', say(badSectorSize, 'logical', logicalSectorSize));
  const physicalSectorSize = physical.readUInt32LE(0);
  if (physicalSectorSize !== 512 && physicalSectorSize !== 4096) throw new VmarketError('IMAGE_CORRUPT', say(badSectorSize, 'physical', physicalSectorSize));
  const declaredSize = size.readBigUInt64LE(0);
  if (declaredSize > BigInt(MAX_VIRTUAL_SIZE) || declaredSize % BigInt(logicalSectorSize) !== 0n) {
    throw new VmarketError('IMAGE_CORRUPT', say(badVirtualSize, declaredSize.toString(), logicalSectorSize));
  }
  const flags = parameters.readUInt32LE(4);
  const hasParent = (flags & 2) !== 0;
  const locator = items.get(PARENT_LOCATOR);
  return {
    blockSize,
    leaveBlockAllocated: (flags & 1) !== 0,
    hasParent,
    virtualSize: Number(declaredSize),
    logicalSectorSize,
    physicalSectorSize,
    parentPath: hasParent && locator && locator.length > 0 ? parentPathOf(await file.read(region.fileOffset + locator.offset, locator.length)) : null,
  };
}

/** Keys of the parent locator ([MS-VHDX] 2.6.2.6.1) that hold a path, most telling first. */
const PATH_KEYS = ['relative_path', 'absolute_win32_path', 'volume_path'];

/**
 * The parent's path as the locator records it, only to name it in the refusal: null unless it is
 * short and printable (a publisher's bytes end up in a sentence someone reads).
 */
export function parentPathOf(locator: Buffer): string | null {
  if (locator.length < 20) return null;
  const count = locator.readUInt16LE(18);
  const values = new Map<string, string>();
  for (let i = 0; i < count && 20 + (i + 1) * 12 <= locator.length; i++) {
    const entry = locator.subarray(20 + i * 12, 20 + (i + 1) * 12);
    const text = (offset: number, length: number) => (offset + length <= locator.length && length <= 2 * MAX_PARENT_PATH ? locator.toString('utf16le', offset, offset + length) : '');
    values.set(text(entry.readUInt32LE(0), entry.readUInt16LE(8)), text(entry.readUInt32LE(4), entry.readUInt16LE(10)));
  }
  for (const key of PATH_KEYS) {
    const path = values.get(key);
    if (path && path.length <= MAX_PARENT_PATH && /^[\p{L}\p{N}\p{P}\p{Zs}\p{S}]+$/u.test(path)) return path;
  }
  return null;
}
