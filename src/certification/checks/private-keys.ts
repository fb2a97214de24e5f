/** `linux.private-keys`: no private key (PEM/OpenSSH `PRIVATE KEY` block) anywhere outside /etc/ssh/ssh_host_*; found by the malware pass. */
import { findingsCheck } from './findings.ts';
import type { CheckDefinition } from './types.ts';

export const privateKeys: CheckDefinition = {
  id: 'linux.private-keys',
  title: 'No private keys left in the image',
  severity: 'error',
  remediation: 'Delete private keys from the image (user keys in ~/.ssh, TLS keys, deploy keys); generate them at first boot or deliver them through a secret store. SSH host keys (/etc/ssh/ssh_host_*) are allowed but better regenerated at first boot.',
  run: findingsCheck('private-key', 'no private key outside /etc/ssh/ssh_host_*', (n) => `${n} private key${n === 1 ? '' : 's'} found`),
};
