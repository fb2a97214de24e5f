/** The order the certification report shows its checks in: what needs fixing first. */
import type { CheckResult } from '../../../../../contracts/index.ts';

const RANK: Record<CheckResult['status'], number> = { failed: 0, warning: 1, passed: 2, skipped: 3 };

/** Failed, then warnings, then passed, then skipped; errors before warnings within a group; else report order. */
export function sortChecks(checks: readonly CheckResult[]): CheckResult[] {
  return checks
    .map((check, index) => ({ check, index }))
    .sort(
      (a, b) =>
        (RANK[a.check.status] ?? 4) - (RANK[b.check.status] ?? 4) ||
        (a.check.severity === 'error' ? 0 : 1) - (b.check.severity === 'error' ? 0 : 1) ||
        a.index - b.index,
    )
    .map(({ check }) => check);
}
