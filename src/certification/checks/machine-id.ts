/**
 * `linux.machine-id` (warning): `/etc/machine-id` holds no id. systemd writes a new one at first
 * boot when the file is absent, empty or says `uninitialized`; an id captured in the image is
 * shared by every clone (DHCP client identifiers derived from it, journald's file names, D-Bus).
 * D-Bus's own `/var/lib/dbus/machine-id`, when a file of its own rather than a link, counts too.
 */
import { fixed, type Phrase, say } from '../../i18n/localized.ts';
import type { GuestFs } from '../fs/types.ts';
import { withRoot } from './common.ts';
import type { CheckDefinition, FoundEvidence } from './types.ts';

const MACHINE_ID = '/etc/machine-id';
const DBUS_MACHINE_ID = '/var/lib/dbus/machine-id';
const ID = /^[0-9a-f]{32}$/;

const holdsId: Phrase<[id: string]> = {
  en: (id) => `holds the machine id ${id.slice(0, 8)}…`,
  de: (id) => `enthält die Maschinen-ID ${id.slice(0, 8)}…`,
};
const holdsOther = fixed('holds neither a machine id nor `uninitialized`', 'enthält weder eine Maschinen-ID noch `uninitialized`');
const sharedId: Phrase<[paths: string[]]> = {
  en: (paths) => `${paths.join(' and ')} hold${paths.length === 1 ? 's' : ''} a machine id: every VM cloned from the image shares it`,
  de: (paths) => `${paths.join(' und ')} ${paths.length === 1 ? 'enthält' : 'enthalten'} eine Maschinen-ID: Jede aus dem Image geklonte VM teilt sie`,
};
const NO_ID = fixed('/etc/machine-id holds no id: systemd creates one at first boot', '/etc/machine-id enthält keine ID: systemd erzeugt beim ersten Start eine');
/** systemd's marker for "not set yet" (written by image builders, also set by systemd itself on first boot). */
const UNINITIALIZED = 'uninitialized';
const MAX_BYTES = 256;

/** What a machine-id file holds: null when it is absent, a link, empty or uninitialized. */
async function idIn(root: GuestFs, path: string): Promise<FoundEvidence | null> {
  const stat = await root.lstat(path).catch(() => null);
  if (!stat || stat.type !== 'file') return null;
  const text = ((await root.readFile(path, MAX_BYTES).catch(() => null)) ?? Buffer.alloc(0)).toString('latin1').trim();
  if (text === '' || text === UNINITIALIZED) return null;
  return { image: 'os', path, line: 1, detail: ID.test(text) ? say(holdsId, text) : holdsOther };
}

export const machineId: CheckDefinition = {
  id: 'linux.machine-id',
  title: fixed('The image holds no machine id', 'Das Image enthält keine Maschinen-ID'),
  severity: 'warning',
  remediation: fixed(
    'Empty the machine id before capturing the image (`truncate -s 0 /etc/machine-id`; `rm -f /var/lib/dbus/machine-id` or make it a link to /etc/machine-id) so systemd creates a new one at first boot.',
    'Leeren Sie die Maschinen-ID, bevor Sie das Image erfassen (`truncate -s 0 /etc/machine-id`; `rm -f /var/lib/dbus/machine-id` oder machen Sie sie zu einem Link auf /etc/machine-id), damit systemd beim ersten Start eine neue erzeugt.',
  ),
  async run(context) {
    return withRoot(context, async (root) => {
      const evidence = (await Promise.all([idIn(root, MACHINE_ID), idIn(root, DBUS_MACHINE_ID)])).filter((e): e is FoundEvidence => e !== null);
      if (evidence.length === 0) return { status: 'passed', message: NO_ID };
      return { status: 'warning', message: say(sharedId, evidence.map((e) => e.path ?? '')), evidence };
    });
  },
};
