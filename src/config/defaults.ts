/** Built-in defaults an operator can replace in the config file. */

/** Offer categories accepted when the config names none. */
export const DEFAULT_CATEGORIES = [
  'analytics',
  'ai-ml',
  'blockchain',
  'compute',
  'containers',
  'databases',
  'developer-tools',
  'devops',
  'identity',
  'integration',
  'iot',
  'linux',
  'media',
  'monitoring',
  'networking',
  'security',
  'storage',
  'web',
  'windows',
];

/** The default supported OS list of docs/contracts.md §6 (`rhel`-family and SUSE match on the major version). */
export const DEFAULT_SUPPORTED_OS: { id: string; versions: string[] }[] = [
  { id: 'ubuntu', versions: ['20.04', '22.04', '24.04'] },
  { id: 'debian', versions: ['11', '12', '13'] },
  { id: 'rhel', versions: ['8', '9', '10'] },
  { id: 'almalinux', versions: ['8', '9', '10'] },
  { id: 'rocky', versions: ['8', '9', '10'] },
  { id: 'ol', versions: ['8', '9', '10'] },
  { id: 'sles', versions: ['15'] },
  { id: 'opensuse-leap', versions: ['15'] },
  { id: 'azurelinux', versions: ['3.0'] },
];
