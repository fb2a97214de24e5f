/** `linux.cloud-credentials`: no cloud credentials left (`.aws/credentials`, `.azure/` tokens, `.config/gcloud/` credentials, `AKIA…` access key ids); found by the malware pass. */
import { findingsCheck } from './findings.ts';
import { formatNumber } from '../../i18n/format.ts';
import { fixed, type Phrase } from '../../i18n/localized.ts';
import type { CheckDefinition } from './types.ts';

const credentialsFound: Phrase<[count: number]> = {
  en: (n) => `${n} cloud credential${n === 1 ? '' : 's'} found`,
  de: (n) => `${formatNumber(n, 'de')} ${n === 1 ? 'Fund' : 'Funde'} von Cloud-Zugangsdaten`,
};

export const cloudCredentials: CheckDefinition = {
  id: 'linux.cloud-credentials',
  title: fixed('No cloud credentials left in the image', 'Keine Cloud-Zugangsdaten im Image'),
  severity: 'error',
  remediation: fixed(
    'Delete cloud CLI credentials (~/.aws, ~/.azure, ~/.config/gcloud) and any access keys from files, rotate the exposed keys, and use instance identities (managed identity, instance profiles) instead.',
    'Löschen Sie die Zugangsdaten der Cloud-CLIs (~/.aws, ~/.azure, ~/.config/gcloud) und alle Zugriffsschlüssel aus Dateien, ersetzen Sie die offengelegten Schlüssel durch neue und verwenden Sie stattdessen Instanzidentitäten (verwaltete Identitäten, Instanzprofile).',
  ),
  run: findingsCheck('cloud-credential', fixed('no cloud credentials found', 'keine Cloud-Zugangsdaten gefunden'), credentialsFound),
};
