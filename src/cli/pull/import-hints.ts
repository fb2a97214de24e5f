/**
 * How to import a pulled disk file into the common clouds and hypervisors, with each tool's own
 * name for the file's format (OpenStack Glance's `--disk-format`, libvirt's `format=`).
 */

/** Glance's disk_format names (raw, qcow2, vmdk, vhd, vhdx). */
const GLANCE: Record<string, string> = { raw: 'raw', qcow2: 'qcow2', vmdk: 'vmdk', vhd: 'vhd', 'vhd-fixed': 'vhd', 'vhd-dynamic': 'vhd', vhdx: 'vhdx' };
/** QEMU's (and so libvirt's) format names: VHD is `vpc`. */
const QEMU: Record<string, string> = { raw: 'raw', qcow2: 'qcow2', vmdk: 'vmdk', vhd: 'vpc', 'vhd-fixed': 'vpc', 'vhd-dynamic': 'vpc', vhdx: 'vhdx' };

export interface ImportHints {
  openstack: string;
  proxmox: string;
  libvirt: string;
}

function quoted(file: string): string {
  return /^[A-Za-z0-9._/+-]+$/.test(file) ? file : `'${file.replace(/'/g, `'\\''`)}'`;
}

export function importHints(file: string, format: string, imageName: string): ImportHints {
  const f = quoted(file);
  const glance = GLANCE[format] ?? 'raw';
  const qemu = QEMU[format] ?? 'raw';
  return {
    openstack: `openstack image create --disk-format ${glance} --container-format bare --file ${f} ${quoted(imageName)}`,
    // qm importdisk reads the format from the file itself (it calls qemu-img)
    proxmox: `qm importdisk VMID ${f} STORAGE`,
    libvirt: `virt-install --import --name ${quoted(imageName)} --memory 2048 --osinfo detect=on,require=off --disk ${f},format=${qemu}`,
  };
}
