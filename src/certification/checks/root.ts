/**
 * Finds the Linux root on the OS disk: the ext file system holding /etc/os-release, or the one
 * whose own /etc/fstab mounts it at `/`. When there is none, says what the disk holds instead
 * (XFS, LVM, NTFS, an encrypted volume, no file system) so `linux.os-release` can name it.
 */
import type { OpenedDisk, OpenedFileSystem } from '../disk/types.ts';
import type { GuestFs } from '../fs/types.ts';
import type { RootSearch } from './types.ts';
import { numberedLines, readText } from './guest-files.ts';

const KIND_NAMES: Record<string, string> = {
  xfs: 'XFS',
  btrfs: 'Btrfs',
  lvm: 'an LVM physical volume',
  luks: 'an encrypted (LUKS) volume',
  ntfs: 'NTFS',
  vfat: 'FAT',
  swap: 'swap',
  unknown: 'an unrecognised file system',
};

/** The fstab entries of a file system (non-comment lines with at least 3 fields). */
export async function fstabEntries(fs: GuestFs): Promise<{ spec: string; mountPoint: string; type: string; line: number; text: string }[]> {
  const text = await readText(fs, '/etc/fstab');
  if (text === null) return [];
  const entries = [];
  for (const { line, text: raw } of numberedLines(text)) {
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const fields = trimmed.split(/\s+/);
    if (fields.length < 3) continue;
    entries.push({ spec: fields[0], mountPoint: fields[1], type: fields[2], line, text: trimmed });
  }
  return entries;
}

function fstabNamesThisFs(spec: string, fsEntry: OpenedFileSystem): boolean {
  const [key, value] = spec.includes('=') ? [spec.slice(0, spec.indexOf('=')), spec.slice(spec.indexOf('=') + 1)] : ['', spec];
  if (key === 'UUID' && fsEntry.uuid) return value.toLowerCase() === fsEntry.uuid.toLowerCase();
  if (key === 'LABEL' && fsEntry.label) return value === fsEntry.label;
  // device names (/dev/sda1) and PARTUUIDs cannot be mapped reliably: accept a `/` entry as its own
  return key === '' || key === 'PARTUUID' || key === 'PARTLABEL';
}

async function isRootCandidate(entry: OpenedFileSystem): Promise<boolean> {
  const fs = entry.fs;
  if (!fs) return false;
  if (await fs.stat('/etc/os-release').catch(() => null)) return true;
  const entries = await fstabEntries(fs).catch(() => []);
  return entries.some((e) => e.mountPoint === '/' && fstabNamesThisFs(e.spec, entry));
}

function describeContents(disk: OpenedDisk): string {
  if (disk.fileSystems.length === 0) {
    return disk.table.scheme === 'none' ? 'the OS disk holds no partition table and no file system' : 'the OS disk holds no file system that could be identified';
  }
  const found = disk.fileSystems.map((f) => {
    const where = f.partition ? `partition ${f.partition.number}` : 'the whole disk';
    if (f.kind.startsWith('ext')) return `${f.kind} on ${where}${f.fs ? ' without /etc/os-release' : ` that could not be read${f.problem ? ` (${f.problem})` : ''}`}`;
    return `${KIND_NAMES[f.kind] ?? f.kind} on ${where}`;
  });
  return `found ${found.join(', ')}`;
}

export async function findLinuxRoot(disk: OpenedDisk): Promise<RootSearch> {
  const candidates: OpenedFileSystem[] = [];
  for (const entry of disk.fileSystems) if (await isRootCandidate(entry)) candidates.push(entry);
  return {
    root: candidates[0]?.fs ?? null,
    candidates,
    foundDescription: candidates.length ? '' : describeContents(disk),
  };
}

/** Where the file system sits, for messages: `partition 1 (ext4)` or `the whole disk (ext4)`. */
export function describeFileSystem(entry: OpenedFileSystem): string {
  return `${entry.partition ? `partition ${entry.partition.number}` : 'the whole disk'} (${entry.kind})`;
}
