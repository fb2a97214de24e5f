/**
 * An installed package from its parsed header: name, `[epoch:]version-release`, architecture,
 * the source package's name and every file with its digest and %config flag. The file list is
 * rpm's compressed form (DIRNAMES + BASENAMES + DIRINDEXES) or, in headers older than rpm 4.1,
 * OLDFILENAMES; the per-file arrays must have one value per file.
 */
import type { Localized } from '../../../i18n/localized.ts';
import type { FileDigest, InstalledPackage, PackageFileRecord } from '../types.ts';
import { corrupt, reasonOf } from './errors.ts';
import type { RpmHeader } from './header.ts';
import { DEFAULT_DIGEST_ALGORITHM, DIGEST_ALGORITHMS, FileFlag, Tag } from './tags.ts';
import * as text from './texts.ts';

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const HEX = /^[0-9a-f]+$/;

export interface PackageOfHeader {
  package: InstalledPackage;
  /** Digests that could not be taken (an unknown algorithm, a malformed digest): then all are null. */
  digestProblem: Localized | null;
  /** Files the header lists (more than `package.files` when `maxFiles` cut the list). */
  fileCount: number;
}

export function requiredString(header: RpmHeader, tag: number, name: string): string {
  const value = header.string(tag);
  if (value === null || value === '') throw corrupt(text.missingTag(name));
  return value;
}

/** `bash` from `bash-5.1.8-6.el9.src.rpm`: the name without version, release and suffix. */
export function sourceName(sourceRpm: string): string | undefined {
  const base = sourceRpm.replace(/\.(no)?src\.rpm$/, '');
  const release = base.lastIndexOf('-');
  const version = release > 0 ? base.lastIndexOf('-', release - 1) : -1;
  return version > 0 ? base.slice(0, version) : undefined;
}

/** `5.1.8-6.el9` from `bash-5.1.8-6.el9.src.rpm`: the source's version-release. */
export function sourceVersionOf(sourceRpm: string): string | undefined {
  const name = sourceName(sourceRpm);
  return name ? sourceRpm.replace(/\.(no)?src\.rpm$/, '').slice(name.length + 1) : undefined;
}

/** The package a header describes; `maxFiles` bounds its file list (the rest is dropped by the caller's report). */
export function packageOf(header: RpmHeader, maxFiles: number): PackageOfHeader {
  const name = requiredString(header, Tag.NAME, 'NAME');
  const version = requiredString(header, Tag.VERSION, 'VERSION');
  const release = requiredString(header, Tag.RELEASE, 'RELEASE');
  const epoch = header.number(Tag.EPOCH);
  const sourceRpm = header.string(Tag.SOURCERPM);
  const paths = filePaths(header);
  const flags = perFile(header, Tag.FILEFLAGS, paths.length);
  let digestProblem: Localized | null = null;
  let digests: (FileDigest | null)[];
  try {
    digests = fileDigests(header, paths, flags);
  } catch (error) {
    digestProblem = reasonOf(error);
    digests = paths.map(() => null);
  }
  const files: PackageFileRecord[] = [];
  for (let i = 0; i < paths.length && i < maxFiles; i++) {
    files.push({ path: paths[i], digest: digests[i], config: ((flags?.[i] ?? 0) & FileFlag.CONFIG) !== 0 });
  }
  const source = sourceRpm ? sourceName(sourceRpm) : undefined;
  // the source RPM's file name has no epoch; its binaries carry the spec's one
  const sourceRelease = sourceRpm ? sourceVersionOf(sourceRpm) : undefined;
  const sourceVersion = sourceRelease && epoch !== null ? `${epoch}:${sourceRelease}` : sourceRelease;
  return {
    package: {
      manager: 'rpm',
      name,
      version: `${epoch === null ? '' : `${epoch}:`}${version}-${release}`,
      architecture: header.string(Tag.ARCH) ?? '',
      ...(source ? { sourcePackage: source } : {}),
      ...(sourceVersion ? { sourceVersion } : {}),
      files,
    },
    digestProblem,
    fileCount: paths.length,
  };
}

/** An integer array with one value per file, or null when the header has none. */
function perFile(header: RpmHeader, tag: number, files: number): number[] | null {
  const values = header.numbers(tag);
  if (values !== null && values.length !== files) throw corrupt(text.countMismatch(tag, values.length, files));
  return values;
}

function filePaths(header: RpmHeader): string[] {
  const basenames = header.stringArray(Tag.BASENAMES);
  if (basenames === null) return header.stringArray(Tag.OLDFILENAMES) ?? [];
  const dirnames = header.stringArray(Tag.DIRNAMES) ?? [];
  const dirIndexes = perFile(header, Tag.DIRINDEXES, basenames.length) ?? [];
  if (dirIndexes.length !== basenames.length) throw corrupt(text.countMismatch(Tag.DIRINDEXES, dirIndexes.length, basenames.length));
  const paths = new Array<string>(basenames.length);
  for (let i = 0; i < basenames.length; i++) {
    const dir = dirnames[dirIndexes[i]];
    if (dir === undefined) throw corrupt(text.dirIndexOutside(dirIndexes[i], dirnames.length));
    paths[i] = dir + basenames[i];
  }
  return paths;
}

/**
 * Digests of regular files that are not %ghost (a ghost is not in the payload; rpm keeps an
 * empty or zero digest for it), in lower-case hex of the header's algorithm.
 */
function fileDigests(header: RpmHeader, paths: string[], flags: number[] | null): (FileDigest | null)[] {
  const hexes = header.stringArray(Tag.FILEDIGESTS);
  if (hexes === null) return paths.map(() => null);
  if (hexes.length !== paths.length) throw corrupt(text.countMismatch(Tag.FILEDIGESTS, hexes.length, paths.length));
  const algorithmNumber = header.number(Tag.FILEDIGESTALGO) ?? DEFAULT_DIGEST_ALGORITHM;
  const algorithm = DIGEST_ALGORITHMS.get(algorithmNumber);
  if (!algorithm) throw corrupt(text.unknownDigestAlgorithm(algorithmNumber));
  const modes = perFile(header, Tag.FILEMODES, paths.length);
  return hexes.map((raw, i) => {
    if (raw === '') return null;
    if (modes !== null && (modes[i] & S_IFMT) !== S_IFREG) return null;
    if (flags !== null && (flags[i] & FileFlag.GHOST) !== 0) return null;
    const hex = raw.toLowerCase();
    if (hex.length !== algorithm.hexLength || !HEX.test(hex)) throw corrupt(text.badDigest(paths[i]));
    return { algorithm: algorithm.algorithm, hex };
  });
}
