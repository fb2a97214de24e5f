/**
 * Finds the Linux root on the OS disk: the ext or XFS file system holding /etc/os-release, or the one
 * whose own /etc/fstab mounts it at `/`. When there is none, says what the disk holds instead
 * (an unreadable ext or XFS, LVM, NTFS, an encrypted volume, no file system) so `linux.os-release`
 * can name it.
 */
import { fixed, join, type Localized, type Phrase, say, verbatim } from '../../i18n/localized.ts';
import type { OpenedDisk, OpenedFileSystem } from '../disk/types.ts';
import type { GuestFs } from '../fs/types.ts';
import type { RootSearch } from './types.ts';
import { numberedLines, readText } from './guest-files.ts';

/** File systems the readers open (fs/open.ts). */
const READ_KINDS = new Set(['ext2', 'ext3', 'ext4', 'xfs']);

const KIND_NAMES: Record<string, Localized> = {
  xfs: verbatim('XFS'),
  btrfs: verbatim('Btrfs'),
  lvm: fixed('an LVM physical volume', 'ein physisches LVM-Volume'),
  luks: fixed('an encrypted (LUKS) volume', 'ein verschlüsseltes Volume (LUKS)'),
  luks1: fixed('an encrypted (LUKS1) volume', 'ein verschlüsseltes Volume (LUKS1)'),
  luks2: fixed('an encrypted (LUKS2) volume', 'ein verschlüsseltes Volume (LUKS2)'),
  ntfs: verbatim('NTFS'),
  vfat: verbatim('FAT'),
  swap: fixed('swap', 'Swap'),
  unknown: fixed('an unrecognised file system', 'ein nicht erkanntes Dateisystem'),
};

/** Where a file system is: a partition's number, null for the whole disk, or a logical volume. */
export type DiskPlace = number | null | { group: string; name: string };

/** The place of an opened file system, for `diskPlace`. */
export function placeOf(entry: OpenedFileSystem): DiskPlace {
  return entry.volume ? { group: entry.volume.group, name: entry.volume.name } : (entry.partition?.number ?? null);
}

/** A partition, the whole disk when the file system has no partition, or a logical volume: `partition 1` / `the whole disk` / `logical volume rhel/root`. */
export const diskPlace: Phrase<[place: DiskPlace]> = {
  en: (p) => (p === null ? 'the whole disk' : typeof p === 'number' ? `partition ${p}` : `logical volume ${p.group}/${p.name}`),
  de: (p) => (p === null ? 'der ganze Datenträger' : typeof p === 'number' ? `Partition ${p}` : `logisches Volume ${p.group}/${p.name}`),
};

/** The same place after "on" (German needs the dative: `auf dem ganzen Datenträger`). */
export const onDiskPlace: Phrase<[place: DiskPlace]> = {
  en: (p) => `on ${diskPlace.en(p)}`,
  de: (p) => (p === null ? 'auf dem ganzen Datenträger' : typeof p === 'number' ? `auf Partition ${p}` : `auf dem logischen Volume ${p.group}/${p.name}`),
};

const NO_TABLE = fixed('the OS disk holds no partition table and no file system', 'der Betriebssystemdatenträger enthält weder eine Partitionstabelle noch ein Dateisystem');
const NOTHING_IDENTIFIED = fixed('the OS disk holds no file system that could be identified', 'der Betriebssystemdatenträger enthält kein erkennbares Dateisystem');

const extWithoutOsRelease: Phrase<[kind: string, partition: DiskPlace]> = {
  en: (kind, n) => `${kind} ${onDiskPlace.en(n)} without /etc/os-release`,
  de: (kind, n) => `${kind} ${onDiskPlace.de(n)} ohne /etc/os-release`,
};
const extUnreadable: Phrase<[kind: string, partition: DiskPlace, problem: Localized | undefined]> = {
  en: (kind, n, problem) => `${kind} ${onDiskPlace.en(n)} that could not be read${problem ? ` (${problem.en})` : ''}`,
  de: (kind, n, problem) => `${kind} ${onDiskPlace.de(n)}, das nicht gelesen werden konnte${problem ? ` (${problem.de})` : ''}`,
};
const otherKind: Phrase<[kind: Localized, partition: DiskPlace]> = {
  en: (kind, n) => `${kind.en} ${onDiskPlace.en(n)}`,
  de: (kind, n) => `${kind.de} ${onDiskPlace.de(n)}`,
};
const pvUnreadable: Phrase<[partition: DiskPlace, problem: Localized]> = {
  en: (n, problem) => `an LVM physical volume ${onDiskPlace.en(n)} that could not be read (${problem.en})`,
  de: (n, problem) => `ein physisches LVM-Volume ${onDiskPlace.de(n)}, das nicht gelesen werden konnte (${problem.de})`,
};
const foundList: Phrase<[found: Localized]> = {
  en: (found) => `found ${found.en}`,
  de: (found) => `gefunden: ${found.de}`,
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

/**
 * Whether an fstab device names this file system. UUID= and LABEL= compare with the file system's;
 * device-mapper names of logical volumes (`/dev/mapper/rhel-root`, `/dev/rhel/root`,
 * `/dev/disk/by-id/dm-name-rhel-root`) must name this very volume. Other device names (/dev/sda1)
 * and PARTUUIDs cannot be mapped reliably: a `/` entry with one is accepted as the file system's own.
 */
function fstabNamesThisFs(spec: string, fsEntry: OpenedFileSystem): boolean {
  const [key, value] = spec.includes('=') ? [spec.slice(0, spec.indexOf('=')), spec.slice(spec.indexOf('=') + 1)] : ['', spec];
  if (key === 'UUID' && fsEntry.uuid) return value.toLowerCase() === fsEntry.uuid.toLowerCase();
  if (key === 'LABEL' && fsEntry.label) return value === fsEntry.label;
  if (key === '') {
    const volume = logicalVolumeNamed(value);
    if (volume) return fsEntry.volume?.group === volume.group && fsEntry.volume.name === volume.name;
  }
  return key === '' || key === 'PARTUUID' || key === 'PARTLABEL';
}

/** The logical volume a device path names, or null: device-mapper joins VG and LV with `-` and doubles the dashes inside them. */
export function logicalVolumeNamed(device: string): { group: string; name: string } | null {
  const mapper = /^\/dev\/(?:mapper\/|disk\/by-id\/dm-name-)(.+)$/.exec(device);
  if (mapper) return splitDeviceMapperName(mapper[1]);
  const direct = /^\/dev\/([^/]+)\/([^/]+)$/.exec(device);
  if (direct && direct[1] !== 'disk' && direct[1] !== 'mapper') return { group: direct[1], name: direct[2] };
  return null;
}

function splitDeviceMapperName(name: string): { group: string; name: string } | null {
  for (let i = 0; i < name.length; i++) {
    if (name[i] !== '-') continue;
    if (name[i + 1] === '-') {
      i++;
      continue;
    }
    const group = name.slice(0, i).replaceAll('--', '-');
    const volume = name.slice(i + 1).replaceAll('--', '-');
    return group && volume ? { group, name: volume } : null;
  }
  return null;
}

async function isRootCandidate(entry: OpenedFileSystem): Promise<boolean> {
  const fs = entry.fs;
  if (!fs) return false;
  if (await fs.stat('/etc/os-release').catch(() => null)) return true;
  const entries = await fstabEntries(fs).catch(() => []);
  return entries.some((e) => e.mountPoint === '/' && fstabNamesThisFs(e.spec, entry));
}

function describeContents(disk: OpenedDisk): Localized {
  if (disk.fileSystems.length === 0) return disk.table.scheme === 'none' ? NO_TABLE : NOTHING_IDENTIFIED;
  const found = disk.fileSystems.map((f) => {
    const where = placeOf(f);
    // the kinds a reader opens: when it could not, its problem says why
    if (READ_KINDS.has(f.kind)) return f.fs ? say(extWithoutOsRelease, f.kind, where) : say(extUnreadable, f.kind, where, f.problem);
    if (f.kind === 'lvm' && f.problem) return say(pvUnreadable, where, f.problem);
    const kind = f.kind === 'luks' && f.luksVersion ? `luks${f.luksVersion}` : f.kind;
    return say(otherKind, KIND_NAMES[kind] ?? KIND_NAMES[f.kind] ?? verbatim(f.kind), where);
  });
  return say(foundList, join(found, ', '));
}

export async function findLinuxRoot(disk: OpenedDisk): Promise<RootSearch> {
  const candidates: OpenedFileSystem[] = [];
  for (const entry of disk.fileSystems) if (await isRootCandidate(entry)) candidates.push(entry);
  return {
    root: candidates[0]?.fs ?? null,
    candidates,
    foundDescription: candidates.length ? verbatim('') : describeContents(disk),
  };
}

/** Where the file system sits, for messages: `partition 1 (ext4)`, `the whole disk (ext4)`, `logical volume rhel/root (xfs)`. */
export function describeFileSystem(entry: OpenedFileSystem): Localized {
  return join([say(diskPlace, placeOf(entry)), ` (${entry.kind})`]);
}

/** The same after "on": `on partition 1 (ext4)` / `auf Partition 1 (ext4)`. */
export function onFileSystem(entry: OpenedFileSystem): Localized {
  return join([say(onDiskPlace, placeOf(entry)), ` (${entry.kind})`]);
}
