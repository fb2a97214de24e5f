/** Every check of docs/contracts.md §6, in the contract's order: every report lists all of them. */
import { architecture } from './architecture.ts';
import { authorizedKeys } from './authorized-keys.ts';
import { cloudCredentials } from './cloud-credentials.ts';
import { emptyPasswords } from './empty-passwords.ts';
import { imageFormat } from './image-format.ts';
import { imagePartitions } from './image-partitions.ts';
import { imageReadable } from './image-readable.ts';
import { imageSize } from './image-size.ts';
import { kernelConsole } from './kernel-console.ts';
import { machineId } from './machine-id.ts';
import { malwareScan } from './malware-scan.ts';
import { osRelease } from './os-release.ts';
import { osEndOfLife } from './os-end-of-life.ts';
import { packageFiles } from './package-files.ts';
import { packageVulnerabilities } from './vulnerabilities.ts';
import { privateKeys } from './private-keys.ts';
import { provisioningAgent } from './provisioning-agent.ts';
import { rootPartition } from './root-partition.ts';
import { rootPassword } from './root-password.ts';
import { shellHistory } from './shell-history.ts';
import { sshClientAlive } from './ssh-client-alive.ts';
import { sshHostKeys } from './ssh-host-keys.ts';
import { sshPasswordAuth } from './ssh-password-auth.ts';
import { sshRootLogin } from './ssh-root-login.ts';
import { sshServer } from './ssh-server.ts';
import { swap } from './swap.ts';
import { STOPPED_CHECKS, type StoppedCheck } from './certification-stopped.ts';
import { BOOT_CHECKS } from './boot.ts';
import { localizedFields, type Phrase, say } from '../../i18n/localized.ts';
import type { CheckContext, CheckDefinition, CheckOutcome } from './types.ts';
import type { CheckResult } from '../types.ts';

const couldNotRun: Phrase<[reason: string]> = {
  en: (reason) => `the check could not run: ${reason}`,
  de: (reason) => `die Prüfung konnte nicht ausgeführt werden: ${reason}`,
};

export const CHECKS: readonly CheckDefinition[] = [
  imageFormat,
  imageSize,
  imagePartitions,
  osRelease,
  osEndOfLife,
  architecture,
  provisioningAgent,
  kernelConsole,
  swap,
  rootPartition,
  shellHistory,
  rootPassword,
  emptyPasswords,
  sshServer,
  sshClientAlive,
  sshPasswordAuth,
  sshRootLogin,
  sshHostKeys,
  authorizedKeys,
  privateKeys,
  cloudCredentials,
  machineId,
  packageFiles,
  packageVulnerabilities,
  malwareScan,
  imageReadable,
];

/**
 * Every check a report may hold: the engine's, those of a run the sandbox had to stop
 * (certification-stopped.ts), then those of a boot (boot.ts; listed when boot validation ran or
 * was asked for).
 */
export const REPORT_CHECKS: readonly StoppedCheck[] = [...CHECKS, ...STOPPED_CHECKS, ...BOOT_CHECKS];

/** Runs every check; a check that throws is reported as failed with the reason, never dropped. */
export async function runChecks(context: CheckContext, signal?: AbortSignal): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of CHECKS) {
    signal?.throwIfAborted();
    let outcome: CheckOutcome;
    try {
      outcome = await check.run(context);
    } catch (error) {
      outcome = { status: 'failed' as const, message: say(couldNotRun, (error as Error).message) };
    }
    results.push(checkResult(check, outcome));
  }
  return results;
}

/** A context memo: each key computed once, concurrent callers share the promise. */
export function createMemo(): CheckContext['memo'] {
  const cache = new Map<string, Promise<unknown>>();
  return <T>(key: string, compute: () => Promise<T>): Promise<T> => {
    if (!cache.has(key)) cache.set(key, compute());
    return cache.get(key) as Promise<T>;
  };
}

/** The report's entry for a check: English in the contract's fields, other languages in `translations`. */
export function checkResult(check: StoppedCheck, outcome: CheckOutcome): CheckResult {
  const { translations, title, message, remediation } = localizedFields({ title: check.title, message: outcome.message, remediation: check.remediation });
  return {
    id: check.id,
    status: outcome.status,
    severity: check.severity,
    title,
    message,
    evidence: (outcome.evidence ?? []).map(({ detail, ...rest }) => ({ ...rest, ...localizedFields({ detail }) })),
    remediation,
    ...(translations ? { translations } : {}),
  };
}
