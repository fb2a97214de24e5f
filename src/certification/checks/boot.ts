/**
 * The checks of a boot (docs/contracts.md §6): the image started under QEMU by the boot runner
 * (src/boot/). Like the stopped checks they have no `run` on the disk: `src/boot/boot-check.ts`
 * writes their outcomes from the console, the seed, an SSH login and port probes.
 */
import { fixed } from '../../i18n/localized.ts';
import type { StoppedCheck } from './certification-stopped.ts';

export const bootStart: StoppedCheck = {
  id: 'boot.start',
  title: fixed('The VM starts and its kernel reaches user space', 'Die VM startet, und ihr Kernel erreicht den User-Space'),
  severity: 'error',
  remediation: fixed(
    'Install a boot loader the firmware can start (GRUB for BIOS in the MBR and a BIOS boot partition, or an EFI system partition with a boot loader for UEFI), make sure it finds the kernel and initramfs, and that the kernel finds the root file system (root=UUID=… or LABEL=…, the virtio drivers in the initramfs). The console log shows where the boot stopped; try it locally with `vmarket certify IMAGE --boot`.',
    'Installieren Sie einen Bootloader, den die Firmware starten kann (GRUB für BIOS im MBR und einer BIOS-Boot-Partition oder eine EFI-Systempartition mit Bootloader für UEFI), sorgen Sie dafür, dass er Kernel und Initramfs findet und der Kernel das Root-Dateisystem (root=UUID=… oder LABEL=…, die virtio-Treiber im Initramfs). Das Konsolenprotokoll zeigt, wo der Start stehen blieb; probieren Sie es lokal mit `vmarket certify IMAGE --boot`.',
  ),
};

export const bootProvisioning: StoppedCheck = {
  id: 'boot.provisioning',
  title: fixed('cloud-init provisions the VM without errors', 'cloud-init richtet die VM fehlerfrei ein'),
  severity: 'error',
  remediation: fixed(
    'Keep cloud-init installed and enabled with the NoCloud datasource in its datasource_list, and fix the modules the console log names as failed (`cloud-init status --long` and /var/log/cloud-init.log on a booted copy show why).',
    'Lassen Sie cloud-init installiert und aktiviert, mit der NoCloud-Datenquelle in seiner datasource_list, und beheben Sie die Module, die das Konsolenprotokoll als fehlgeschlagen nennt (`cloud-init status --long` und /var/log/cloud-init.log auf einer gestarteten Kopie zeigen den Grund).',
  ),
};

export const bootSsh: StoppedCheck = {
  id: 'boot.ssh',
  title: fixed('The SSH server accepts the provisioned key', 'Der SSH-Server akzeptiert den eingerichteten Schlüssel'),
  severity: 'error',
  remediation: fixed(
    'Make sure the SSH server starts at every boot: it needs host keys (let cloud-init make them: keep ssh_deletekeys and ssh_genkeytypes at their defaults, or enable `ssh-keygen -A` / sshd-keygen at boot), its unit enabled, and key authentication allowed for the user cloud-init creates.',
    'Sorgen Sie dafür, dass der SSH-Server bei jedem Start startet: Er braucht Host-Schlüssel (lassen Sie cloud-init sie erzeugen: ssh_deletekeys und ssh_genkeytypes auf ihren Standardwerten, oder aktivieren Sie `ssh-keygen -A` / sshd-keygen beim Start), seine Unit muss aktiviert sein, und die Schlüsselanmeldung für den Benutzer, den cloud-init anlegt, muss erlaubt sein.',
  ),
};

export const bootPorts: StoppedCheck = {
  id: 'boot.ports',
  title: fixed("The plan's open ports accept connections", 'Die offenen Ports des Plans nehmen Verbindungen an'),
  severity: 'warning',
  remediation: fixed(
    "Start the services the plan's openPorts promise at boot, listening on all addresses (not only 127.0.0.1), and open them in the guest's firewall; or remove the ports from openPorts.",
    'Starten Sie die Dienste, die die openPorts des Plans versprechen, beim Booten und lassen Sie sie auf allen Adressen lauschen (nicht nur 127.0.0.1), und öffnen Sie sie in der Firewall des Gastes; oder entfernen Sie die Ports aus openPorts.',
  ),
};

export const BOOT_CHECKS: readonly StoppedCheck[] = [bootStart, bootProvisioning, bootSsh, bootPorts];
