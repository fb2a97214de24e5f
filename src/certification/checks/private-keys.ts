/** `linux.private-keys`: no private key (PEM/OpenSSH `PRIVATE KEY` block) anywhere outside /etc/ssh/ssh_host_*; found by the malware pass. */
import { findingsCheck } from './findings.ts';
import { formatNumber } from '../../i18n/format.ts';
import { fixed, type Phrase } from '../../i18n/localized.ts';
import type { CheckDefinition } from './types.ts';

const keysFound: Phrase<[count: number]> = {
  en: (n) => `${n} private key${n === 1 ? '' : 's'} found`,
  de: (n) => `${formatNumber(n, 'de')} ${n === 1 ? 'privater' : 'private'} Schlüssel gefunden`,
};

export const privateKeys: CheckDefinition = {
  id: 'linux.private-keys',
  title: fixed('No private keys left in the image', 'Keine privaten Schlüssel im Image'),
  severity: 'error',
  remediation: fixed(
    'Delete private keys from the image (user keys in ~/.ssh, TLS keys, deploy keys); generate them at first boot or deliver them through a secret store. SSH host keys (/etc/ssh/ssh_host_*) are allowed but better regenerated at first boot.',
    'Löschen Sie private Schlüssel aus dem Image (Benutzerschlüssel in ~/.ssh, TLS-Schlüssel, Deploy-Schlüssel); erzeugen Sie sie beim ersten Start oder stellen Sie sie über einen Secret-Speicher bereit. SSH-Hostschlüssel (/etc/ssh/ssh_host_*) sind erlaubt, werden aber besser beim ersten Start neu erzeugt.',
  ),
  run: findingsCheck('private-key', fixed('no private key outside /etc/ssh/ssh_host_*', 'kein privater Schlüssel außerhalb von /etc/ssh/ssh_host_*'), keysFound),
};
