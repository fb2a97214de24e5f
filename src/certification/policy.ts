/** Which input formats and sizes the operator's certification policy accepts (`certification.profile`, `certification.acceptedFormats`). */
import type { CertificationConfig } from '../config/schema.ts';
import { DISK_FORMATS, type DiskFormat } from '../contracts/certification.ts';

/** The formats `image.format` passes: `acceptedFormats` when the operator set it, else the profile's. */
export function acceptedFormats(config: Pick<CertificationConfig, 'profile' | 'acceptedFormats'>): readonly DiskFormat[] {
  if (config.acceptedFormats) return config.acceptedFormats;
  return config.profile === 'azure' ? ['vhd-fixed'] : DISK_FORMATS;
}

/** Parses a `--accept-formats` list (`qcow2,raw`); throws a message naming what is not a format. */
export function parseFormatList(list: string): DiskFormat[] {
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(DISK_FORMATS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(`${unknown.length > 0 ? `not a disk format: ${unknown.join(', ')}` : 'no format given'}; formats are ${DISK_FORMATS.join(', ')}`);
  }
  return [...new Set(names)] as DiskFormat[];
}
