/** The rpm tags this reader decodes (rpm's lib/rpmtag.h), and the PGPHASHALGO numbers of file digests. */
import type { DigestAlgorithm } from '../types.ts';

export const Tag = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  ARCH: 1022,
  /** Full paths, before rpm 4.1 compressed them into DIRNAMES + BASENAMES + DIRINDEXES. */
  OLDFILENAMES: 1027,
  FILEMODES: 1030,
  FILEDIGESTS: 1035,
  FILEFLAGS: 1037,
  SOURCERPM: 1044,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  FILEDIGESTALGO: 5011,
} as const;

/** rpmfileAttrs bits. */
export const FileFlag = { CONFIG: 1, GHOST: 64 } as const;

/** PGPHASHALGO numbers (rpmpgp.h) rpm writes as FILEDIGESTALGO, with their hex digest lengths. */
export const DIGEST_ALGORITHMS: ReadonlyMap<number, { algorithm: DigestAlgorithm; hexLength: number }> = new Map([
  [1, { algorithm: 'md5', hexLength: 32 }],
  [2, { algorithm: 'sha1', hexLength: 40 }],
  [8, { algorithm: 'sha256', hexLength: 64 }],
  [9, { algorithm: 'sha384', hexLength: 96 }],
  [10, { algorithm: 'sha512', hexLength: 128 }],
  [11, { algorithm: 'sha224', hexLength: 56 }],
]);

/** Without FILEDIGESTALGO the digests are md5 (rpm before 4.6 knew no other). */
export const DEFAULT_DIGEST_ALGORITHM = 1;

/** The pseudo packages `rpm --import` makes for each trusted OpenPGP key: no files, not software. */
export const PUBKEY_PACKAGE = 'gpg-pubkey';
