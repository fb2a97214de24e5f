/** `linux.cloud-credentials`: no cloud credentials left (`.aws/credentials`, `.azure/` tokens, `.config/gcloud/` credentials, `AKIA…` access key ids); found by the malware pass. */
import { findingsCheck } from './findings.ts';
import type { CheckDefinition } from './types.ts';

export const cloudCredentials: CheckDefinition = {
  id: 'linux.cloud-credentials',
  title: 'No cloud credentials left in the image',
  severity: 'error',
  remediation: 'Delete cloud CLI credentials (~/.aws, ~/.azure, ~/.config/gcloud) and any access keys from files, rotate the exposed keys, and use instance identities (managed identity, instance profiles) instead.',
  run: findingsCheck('cloud-credential', 'no cloud credentials found', (n) => `${n} cloud credential${n === 1 ? '' : 's'} found`),
};
