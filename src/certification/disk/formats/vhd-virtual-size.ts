/**
 * How large a VHD's virtual disk is, as QEMU (block/vpc.c, `vpc_open`, 7.2) decides it, so that
 * vmarket's virtual disk is exactly what `qemu-img convert -O raw` and a QEMU guest see.
 *
 * A VHD footer states the size twice: as CHS geometry (cylinders × heads × sectors per track)
 * and as "current size" in bytes. Virtual PC sized its disks by the geometry, which cannot
 * express every size, and wrote a current size that may be larger; Hyper-V, Disk2vhd, XenServer
 * and QEMU with `force_size=on` (creator "qem2") use the current size. QEMU therefore trusts the
 * geometry only for the creators "vpc " and "qemu" (older qemu-img rounded the size up to the
 * next geometry and wrote both), and even then takes the current size when the geometry is the
 * largest CHS value (65535 × 16 × 255), which means "larger than CHS can say".
 */
import type { VhdFooter } from '../types.ts';

const SECTOR = 512;
const MAX_GEOMETRY_SECTORS = 65535 * 16 * 255;
const GEOMETRY_CREATORS = new Set(['vpc ', 'qemu']);

export function vhdVirtualSize(footer: VhdFooter): number {
  const { cylinders, heads, sectorsPerTrack } = footer.geometry;
  const chsSectors = cylinders * heads * sectorsPerTrack;
  if (GEOMETRY_CREATORS.has(footer.creatorApplication) && chsSectors !== MAX_GEOMETRY_SECTORS) return chsSectors * SECTOR;
  // QEMU counts whole sectors: a current size that is not a multiple of 512 loses its tail
  return Math.floor(footer.currentSize / SECTOR) * SECTOR;
}
