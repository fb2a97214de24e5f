/**
 * VMDK, the single-file kinds (monolithicSparse, streamOptimized): a hosted sparse extent
 * ("KDMV" header, `vmdk-header.ts`) with its descriptor embedded (`vmdk-descriptor.ts`) and its
 * grains (`vmdk-grains.ts`). A VMDK whose descriptor names anything outside this file (other
 * extents, a parent disk) is refused without opening anything.
 */
import type { RangeReader } from '../types.ts';
import { MappedDisk } from './mapped-disk.ts';
import type { OpenedFormat } from './types.ts';
import { descriptorRefusals, parseVmdkDescriptor, type VmdkDescriptor } from './vmdk-descriptor.ts';
import { VmdkGrainMap } from './vmdk-grains.ts';
import { readVmdkHeader, SECTOR, type VmdkHeader } from './vmdk-header.ts';

export async function openVmdk(file: RangeReader): Promise<OpenedFormat> {
  const header = await readVmdkHeader(file);
  const descriptor = await readDescriptor(file, header);
  const virtualSize = header.capacitySectors * SECTOR;
  const details = {
    version: header.version,
    createType: descriptor?.createType ?? 'none',
    compressed: header.compressed,
    grainSize: header.grainSectors * SECTOR,
  };
  const refusals = descriptorRefusals(descriptor, header.capacitySectors);
  if (refusals.length > 0) return { format: 'vmdk', virtualSize, disk: null, refusals, problems: [], details };
  const disk = new MappedDisk(file, virtualSize, new VmdkGrainMap(file, header));
  return { format: 'vmdk', virtualSize, disk, refusals: [], problems: [], details };
}

/**
 * The embedded descriptor, or null when there is none: the header places none, or its area is
 * blank (qemu-img reserves the area in each piece of a twoGbMaxExtentSparse disk and leaves it empty).
 */
async function readDescriptor(file: RangeReader, header: VmdkHeader): Promise<VmdkDescriptor | null> {
  if (header.descriptorOffset === 0 || header.descriptorSize === 0) return null;
  const bytes = await file.read(header.descriptorOffset * SECTOR, header.descriptorSize * SECTOR);
  const nul = bytes.indexOf(0);
  const text = bytes.toString('latin1', 0, nul < 0 ? bytes.length : nul);
  return text.trim() === '' ? null : parseVmdkDescriptor(text);
}
