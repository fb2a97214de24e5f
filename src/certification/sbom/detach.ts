/** Takes the SBOM document off the engine's report: it is stored and served beside the report, never inside it. */
import type { CertificationReport } from '../types.ts';

export function detachSbom(report: CertificationReport): { report: CertificationReport; sbom: string | null } {
  const { sbomJson, ...rest } = report;
  return { report: rest, sbom: sbomJson ?? null };
}
