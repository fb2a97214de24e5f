/**
 * What a check is (docs/contracts.md §6: id, title, severity, remediation, a run function) and the
 * context every check reads: the opened disks, the Linux root found on the OS disk, the
 * operator's policy and the findings of the one malware pass over every file.
 */
import type { CertificationConfig } from '../../config/schema.ts';
import type { Localized } from '../../i18n/localized.ts';
import type { OpenedDisk, OpenedFileSystem } from '../disk/types.ts';
import type { GuestFs } from '../fs/types.ts';
import type { ScanResult } from '../malware/types.ts';
import type { CheckSeverity, CheckStatus, Evidence, ImageRole } from '../types.ts';

/** Evidence as a check writes it: `detail` may be a phrase, in every language. */
export type FoundEvidence = Omit<Evidence, 'detail' | 'translations'> & { detail: string | Localized };

/** Texts a person reads are phrases (`say(…)`, src/i18n) so the report reads in their language. */
export interface CheckOutcome {
  status: CheckStatus;
  message: string | Localized;
  evidence?: FoundEvidence[];
}

export interface CheckDefinition {
  id: string;
  title: string | Localized;
  severity: CheckSeverity;
  remediation: string | Localized;
  run(context: CheckContext): Promise<CheckOutcome>;
}

export interface ContextDisk {
  role: ImageRole;
  lun: number | null;
  disk: OpenedDisk;
}

/** Where the Linux root file system is on the OS disk, or why none was found. */
export interface RootSearch {
  /** The root the Linux checks read; null when none was found. */
  root: GuestFs | null;
  /** Every file system that looks like a root (has /etc/os-release or mounts itself at /). */
  candidates: OpenedFileSystem[];
  /** One sentence describing what the OS disk holds when no root was found (XFS, LVM, …), in every language. */
  foundDescription: Localized;
}

export interface CheckContext {
  /** The OS disk first, then the data disks in LUN order. */
  disks: ContextDisk[];
  rootSearch: RootSearch;
  config: CertificationConfig;
  /** Findings of the malware pass (secrets, malware, authorized_keys files). */
  scan: ScanResult;
  /** Memoizes work several checks share (the effective sshd config, /etc/shadow …). */
  memo<T>(key: string, compute: () => Promise<T>): Promise<T>;
  /** The clock of the date checks (end of life, the vulnerability database's age); default the real one. */
  now?: Date;
}

export type { Evidence };
