/**
 * The checks a certification that did not finish fails (docs/contracts.md §6): the sandbox
 * (src/certification/sandbox/) stops a run past its wall-clock limit (`image.certification-time`)
 * and reports a run whose process died, e.g. past its memory limit (`image.certification-crash`).
 * They have no `run`: the engine never reaches them, the sandbox writes their outcome.
 */
import { fixed } from '../../i18n/localized.ts';
import type { CheckDefinition } from './types.ts';

export type StoppedCheck = Omit<CheckDefinition, 'run'>;

export const certificationTime: StoppedCheck = {
  id: 'image.certification-time',
  title: fixed('The certification finishes within its time limit', 'Die Zertifizierung endet innerhalb ihres Zeitlimits'),
  severity: 'error',
  remediation: fixed(
    'Make sure the images hold no file system structures that describe far more data than the disk has (huge sparse files, looping or overlapping extents); certify them locally with `vmarket certify` to see where the time goes. If the images are legitimately that large, ask the operator to raise certification.sandbox.timeLimitSeconds.',
    'Stellen Sie sicher, dass die Images keine Dateisystemstrukturen enthalten, die weit mehr Daten beschreiben, als der Datenträger hat (riesige Sparse-Dateien, zyklische oder überlappende Extents); zertifizieren Sie sie lokal mit `vmarket certify`, um zu sehen, wo die Zeit vergeht. Sind die Images tatsächlich so groß, bitten Sie den Betreiber, certification.sandbox.timeLimitSeconds zu erhöhen.',
  ),
};

export const certificationCrash: StoppedCheck = {
  id: 'image.certification-crash',
  title: fixed('The certification runs to its end', 'Die Zertifizierung läuft bis zu ihrem Ende'),
  severity: 'error',
  remediation: fixed(
    'The images made the certification process exceed its memory limit or stop; check them for corrupt or oversized file system structures (certify them locally with `vmarket certify`). If the images are legitimate, ask the operator to raise certification.sandbox.memoryLimitMiB.',
    'Die Images haben den Zertifizierungsprozess sein Speicherlimit überschreiten oder abbrechen lassen; prüfen Sie sie auf beschädigte oder übergroße Dateisystemstrukturen (zertifizieren Sie sie lokal mit `vmarket certify`). Sind die Images in Ordnung, bitten Sie den Betreiber, certification.sandbox.memoryLimitMiB zu erhöhen.',
  ),
};

export const STOPPED_CHECKS: readonly StoppedCheck[] = [certificationTime, certificationCrash];
