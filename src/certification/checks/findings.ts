/** A check whose result is the malware pass's findings of one kind (private keys, cloud credentials). */
import type { FindingKind } from '../malware/types.ts';
import type { CheckContext, CheckOutcome } from './types.ts';

export function findingsCheck(kind: FindingKind, passedMessage: string, failedMessage: (count: number) => string): (context: CheckContext) => Promise<CheckOutcome> {
  return async (context) => {
    const evidence = context.scan.findings.filter((f) => f.kind === kind).map((f) => f.evidence);
    if (evidence.length === 0) return { status: 'passed', message: `${passedMessage} (${context.scan.files} files read)` };
    const where = [...new Set(evidence.map((e) => `${e.image === 'os' ? '' : `data lun ${e.lun}:`}${e.path}`))];
    return { status: 'failed', message: `${failedMessage(evidence.length)}: ${where.slice(0, 5).join(', ')}${where.length > 5 ? ` and ${where.length - 5} more` : ''}`, evidence };
  };
}
