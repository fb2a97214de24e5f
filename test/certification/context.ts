/**
 * Builds a CheckContext around a MemoryFs root (test double of an opened OS disk) and runs one
 * check, so each check's semantics can be asserted without building an image.
 */
import { CHECKS, createMemo } from '../../src/certification/checks/registry.ts';
import { ownedFilesOf } from '../../src/certification/checks/common.ts';
import type { CheckContext, CheckOutcome } from '../../src/certification/checks/types.ts';
import type { OpenedDisk, OpenedFileSystem } from '../../src/certification/disk/types.ts';
import { resolveCertificationConfig } from '../../src/certification/index.ts';
import { type ScanEngines, scanFileSystems } from '../../src/certification/malware/scan.ts';
import { baseLinuxTree } from '../fixtures/linux-tree.ts';
import { type MemoryFile, MemoryFs } from './memory-fs.ts';
import type { CertificationConfig } from '../../src/config/schema.ts';
import type { Evidence } from '../../src/certification/types.ts';
import type { Locale } from '../../src/i18n/locale.ts';
import type { Localized } from '../../src/i18n/localized.ts';

/** The fixture tree as MemoryFile entries, with `change` applied (path → replacement, or null to delete). */
export function treeWith(change: Record<string, string | Buffer | null | MemoryFile> = {}): MemoryFile[] {
  const files: MemoryFile[] = baseLinuxTree().files.map((f) => ({ path: f.path, type: f.type, content: f.content ?? (f.size ? Buffer.alloc(f.size) : undefined), target: f.target, mode: f.mode, uid: f.uid }));
  const result = files.filter((f) => !(f.path in change) && !Object.keys(change).some((p) => change[p] === null && f.path.startsWith(`${p}/`)));
  for (const [path, value] of Object.entries(change)) {
    if (value === null) continue;
    if (typeof value === 'string' || Buffer.isBuffer(value)) result.push({ path, type: 'file', content: value });
    else result.push({ ...value, path });
  }
  return result;
}

const MIB = 1024 * 1024;

export function fakeDisk(fileSystems: OpenedFileSystem[], overrides: Partial<OpenedDisk> = {}): OpenedDisk {
  const size = 64 * MIB;
  return {
    path: '/images/os.vhd',
    info: {
      format: 'vhd-fixed',
      fileSize: size + 512,
      virtualSize: size,
      footer: { cookie: 'conectix', features: 2, formatVersion: 0x10000, dataOffset: -1n, timestamp: 0, creatorApplication: 'test', creatorHostOs: 'Wi2k', originalSize: size, currentSize: size, geometry: { cylinders: 1, heads: 1, sectorsPerTrack: 1 }, diskType: 2, checksum: 0, checksumValid: true, uniqueId: '', savedState: 0 },
      problems: [],
      refusals: [],
      details: {},
    },
    disk: { size, read: async () => Buffer.alloc(0), slice() { return this; } },
    diskReadable: true,
    table: { scheme: 'mbr', partitions: [{ number: 1, scheme: 'mbr', type: '0x83', typeName: 'Linux', startByte: MIB, sizeBytes: size - MIB }], problems: [] },
    fileSystems,
    volumeGroups: [],
    close: async () => {},
    ...overrides,
  };
}

export interface RunOptions {
  config?: Partial<CertificationConfig>;
  engines?: Partial<ScanEngines>;
  disk?: Partial<OpenedDisk>;
  /** No Linux root at all (the OS disk's file systems are these). */
  fileSystems?: OpenedFileSystem[];
}

export async function contextFor(files: MemoryFile[] | null, options: RunOptions = {}): Promise<CheckContext> {
  const fs = files ? new MemoryFs(files) : null;
  const fileSystems = options.fileSystems ?? (fs ? [{ partition: { number: 1, scheme: 'mbr' as const, type: '0x83', typeName: 'Linux', startByte: MIB, sizeBytes: 63 * MIB }, kind: 'ext4' as const, fs }] : []);
  const disk = fakeDisk(fileSystems, options.disk);
  const { findLinuxRoot } = await import('../../src/certification/checks/root.ts');
  const config = resolveCertificationConfig(options.config);
  const rootSearch = await findLinuxRoot(disk);
  // as certifyImages does: the root's package files are compared during the pass
  const memo = createMemo();
  const packageFiles = rootSearch.root ? { fs: rootSearch.root, index: await ownedFilesOf(memo, rootSearch.root, config.limits) } : undefined;
  const scan = await scanFileSystems(
    fileSystems.filter((f) => f.fs).map((f) => ({ image: 'os' as const, fs: f.fs! })),
    { hashes: new Map(), yara: null, clam: null, ...options.engines },
    packageFiles ? { packageFiles } : {},
  );
  return { disks: [{ role: 'os', lun: null, disk }], rootSearch, config, scan, memo };
}

/** A check's outcome read in one language (English unless asked): what a report would show. */
export interface OutcomeIn {
  status: CheckOutcome['status'];
  message: string;
  evidence: Evidence[];
}

export function outcomeIn(outcome: CheckOutcome, locale: Locale = 'en'): OutcomeIn {
  const text = (value: string | Localized) => (typeof value === 'string' ? value : value[locale]);
  return {
    status: outcome.status,
    message: text(outcome.message),
    evidence: (outcome.evidence ?? []).map((e) => ({ ...e, detail: text(e.detail) })),
  };
}

export async function runCheck(id: string, files: MemoryFile[] | null, options: RunOptions & { locale?: Locale } = {}): Promise<OutcomeIn> {
  const check = CHECKS.find((c) => c.id === id);
  if (!check) throw new Error(`no check ${id}`);
  return outcomeIn(await check.run(await contextFor(files, options)), options.locale);
}
