/**
 * `vmarket pull PUBLISHER.OFFER --plan P --region R [--format F] [-o FILE]`: a customer gets the
 * bytes of a plan (docs/contracts.md §1). It acquires the plan (or reuses the earlier acquisition
 * of this server, offer, plan and subscription, with fresh links), checks the package's
 * signature against the marketplace's keys (or `--keys FILE`), downloads the disk with resume,
 * checks the SHA-256 of every byte against the signed package, and says how to import the file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { verifyPackage } from '../../catalog/signing.ts';
import type { AcquisitionView, DownloadLink, PackageImage, SigningKeys } from '../../contracts/index.ts';
import { VmarketError } from '../../errors.ts';
import { ApiClient, resolveConnection, seg } from '../client.ts';
import { print, printJson } from '../output.ts';
import { acquisitionKey, findSavedAcquisition, saveAcquisition } from '../pull/acquisitions-file.ts';
import { downloadVerified } from '../pull/download.ts';
import { importHints } from '../pull/import-hints.ts';

interface PullFlags {
  url?: string;
  plan: string;
  region: string;
  format?: string;
  lun?: string;
  output?: string;
  subscription?: string;
  name?: string;
  email?: string;
  company?: string;
  keys?: string;
  json?: boolean;
}

interface Acquired {
  id: string;
  /** As the server sent it: the signature covers exactly these bytes' canonical JSON. */
  package: AcquisitionView['package'];
  signature: string;
  keyId: string;
  downloads: DownloadLink[];
  reused: boolean;
}

export function registerPullCommand(program: Command): void {
  program
    .command('pull')
    .description('download a plan\'s disk image as a customer: acquire (or reuse the acquisition), verify signature and SHA-256, resume')
    .argument('<publisher.offer>', 'the offer, e.g. contoso.ubuntu')
    .requiredOption('--plan <plan>', 'the plan')
    .requiredOption('--region <region>', 'the region to download from')
    .option('--format <format>', 'refuse unless the region serves this disk format (raw, qcow2, vmdk, vhd-fixed, vhdx)')
    .option('--lun <n>', 'a data disk by its LUN (default: the OS disk)')
    .option('-o, --output <file>', 'where to write the image (default: the file name the server gives, in the current directory)')
    .addOption(new Option('--subscription <guid>', 'your subscription id').env('VMARKET_SUBSCRIPTION'))
    .addOption(new Option('--name <name>', 'your name (for the publisher\'s lead)').env('VMARKET_NAME'))
    .addOption(new Option('--email <email>', 'your e-mail address').env('VMARKET_EMAIL'))
    .addOption(new Option('--company <company>', 'your company').env('VMARKET_COMPANY'))
    .option('--keys <file>', 'verify the package with these keys (a /catalog/keys JSON document or a PEM public key) instead of the server\'s')
    .addOption(new Option('--url <url>', 'server URL (default: $VMARKET_URL, else the credentials file, else http://127.0.0.1:8080)'))
    .option('--json', 'print the result as one JSON document')
    .addHelpText(
      'after',
      '\nThe acquisition is kept (mode 0600) in $VMARKET_ACQUISITIONS or ~/.config/vmarket/acquisitions.json and reused;\n' +
        'an interrupted download resumes from FILE.part. Exit 1 when the signature or a byte does not match (nothing is kept).',
    )
    .action(async (key: string, flags: PullFlags) => {
      const result = await pull(key, flags);
      if (flags.json) return printJson(result);
      const hints = result.import;
      print(
        `${result.file}: ${result.offer} plan ${result.plan} version ${result.version}, ${result.format}, ${result.size} bytes, SHA-256 ${result.sha256} (verified, signature ${result.keyId}).`,
        '',
        'Import it with one of:',
        `  ${hints.openstack}`,
        `  ${hints.proxmox}`,
        `  ${hints.libvirt}`,
      );
    });
}

async function pull(key: string, flags: PullFlags) {
  if (!/^[^.]+\.[^.]+$/.test(key)) throw new VmarketError('USAGE', `name the offer as publisher.offer, not ${JSON.stringify(key)}`);
  if (!flags.subscription) throw new VmarketError('USAGE', 'pass --subscription GUID (or set VMARKET_SUBSCRIPTION): your subscription id');
  const connection = await resolveConnection({ url: flags.url });
  const client = new ApiClient({ url: connection.url });
  const acquired = await acquireOrReuse(client, key, flags);
  await verifySignature(client, acquired, flags.keys);

  const lun = flags.lun === undefined ? undefined : Number(flags.lun);
  const image = acquired.package.images.find((i) => (lun === undefined ? i.role === 'os' : i.lun === lun));
  if (!image) throw new VmarketError('USAGE', lun === undefined ? `The plan ${flags.plan} has no OS disk.` : `The plan ${flags.plan} has no data disk at LUN ${lun}.`);
  const copy = copyIn(image, flags.region);
  if (!copy) {
    const regions = Object.keys(image.copies ?? image.locations);
    throw new VmarketError('USAGE', `The plan ${flags.plan} is not in region ${flags.region} (its regions: ${regions.join(', ')}).`);
  }
  if (flags.format && copy.format !== flags.format) {
    const serving = Object.entries(image.copies ?? {}).filter(([, c]) => c.format === flags.format).map(([r]) => r);
    throw new VmarketError(
      'USAGE',
      `The region ${flags.region} serves ${copy.format}, not ${flags.format}${serving.length ? ` (regions serving ${flags.format}: ${serving.join(', ')})` : ''}.`,
    );
  }
  const link = acquired.downloads.find((d) => d.region === flags.region && d.role === image.role && d.lun === image.lun);
  if (!link) throw new VmarketError('NOT_FOUND', `The server gave no download link for region ${flags.region}.`);
  if (link.sha256 !== copy.sha256 || link.size !== copy.size) {
    throw new VmarketError('HASH_MISMATCH', `The download link names another file (${link.sha256}) than the signed package (${copy.sha256}); nothing was downloaded.`);
  }
  const file = path.resolve(flags.output ?? new URL(link.url).pathname.split('/').pop() ?? `${key}.img`);
  const progress = progressPrinter(path.basename(file));
  // a file-system region's ETag is the stored SHA-256 (docs/contracts.md); an S3 object's key is its SHA-256, so its bytes never change
  const sameServer = link.url.startsWith(`${connection.url}/`);
  const done = await downloadVerified({ url: link.url, sha256: copy.sha256, size: copy.size, ...(sameServer ? { ifRange: `"${copy.sha256}"` } : {}) }, file, progress.update);
  progress.end();
  const imageName = `${acquired.package.offer}-${acquired.package.plan}-${acquired.package.version}`;
  return {
    file: done.file,
    offer: acquired.package.offer,
    plan: acquired.package.plan,
    version: acquired.package.version,
    region: flags.region,
    role: image.role,
    lun: image.lun,
    format: copy.format,
    size: copy.size,
    sha256: copy.sha256,
    keyId: acquired.keyId,
    acquisitionId: acquired.id,
    reusedAcquisition: acquired.reused,
    resumedFrom: done.resumedFrom,
    import: importHints(done.file, copy.format, imageName),
  };
}

/** The file `region` serves of `image`, from the signed package. */
function copyIn(image: PackageImage, region: string): { format: string; sha256: string; size: number } | undefined {
  const copy = image.copies?.[region];
  if (copy) return copy;
  if (!image.copies && image.locations[region]) return { format: image.format ?? 'raw', sha256: image.sha256, size: image.size };
  return undefined;
}

async function acquireOrReuse(client: ApiClient, key: string, flags: PullFlags): Promise<Acquired> {
  const savedKey = acquisitionKey(client.baseUrl, key, flags.plan, flags.subscription!);
  const saved = findSavedAcquisition(savedKey);
  if (saved) {
    const answer = await client.get<AcquisitionView>(`/catalog/acquisitions/${seg(saved.id)}`, { headers: { 'x-acquisition-token': saved.token }, accept: [404] });
    if (answer.status === 200) return { id: saved.id, ...answer.body, reused: true };
    // gone (or another server's data behind the same URL): acquire anew
    saveAcquisition(savedKey, undefined);
  }
  if (!flags.name || !flags.email) throw new VmarketError('USAGE', 'pass --name and --email (or VMARKET_NAME, VMARKET_EMAIL): acquiring a plan tells the publisher who you are');
  const contact = { name: flags.name, email: flags.email, ...(flags.company ? { company: flags.company } : {}) };
  const answer = await client.post<{ package: AcquisitionView['package']; signature: string; keyId: string; acquisition: { id: string; token: string }; downloads: DownloadLink[] }>(
    `/catalog/offers/${seg(key)}/acquire`,
    { subscriptionId: flags.subscription, plan: flags.plan, contact },
  );
  const body = answer.body;
  saveAcquisition(savedKey, { id: body.acquisition.id, token: body.acquisition.token, savedAt: new Date().toISOString() });
  return { id: body.acquisition.id, package: body.package, signature: body.signature, keyId: body.keyId, downloads: body.downloads, reused: false };
}

/** The public keys to trust: `--keys FILE` (JSON like /catalog/keys, or one PEM key), else the server's. */
async function trustedKeys(client: ApiClient, file: string | undefined): Promise<{ keyId?: string; publicKeyPem: string }[]> {
  if (!file) return (await client.get<SigningKeys>('/catalog/keys')).body.keys;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new VmarketError('FILE_UNREADABLE', `The keys file ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`, { cause: error });
  }
  if (text.includes('-----BEGIN PUBLIC KEY-----')) return [{ publicKeyPem: text }];
  try {
    const keys = (JSON.parse(text) as SigningKeys).keys;
    if (Array.isArray(keys)) return keys;
  } catch {
    // reported below
  }
  throw new VmarketError('FILE_UNREADABLE', `The keys file ${file} is neither a /catalog/keys JSON document nor a PEM public key.`);
}

async function verifySignature(client: ApiClient, acquired: Acquired, keysFile: string | undefined): Promise<void> {
  const keys = await trustedKeys(client, keysFile);
  const candidates = keys.filter((k) => k.keyId === undefined || k.keyId === acquired.keyId);
  if (!candidates.some((k) => verifyPackage(acquired.package, acquired.signature, k.publicKeyPem))) {
    throw new VmarketError(
      'HASH_MISMATCH',
      `The package's signature does not verify with ${keysFile ? `the keys in ${keysFile}` : 'the marketplace\'s keys'} (key ${acquired.keyId}); nothing was downloaded.`,
    );
  }
}

/** A progress bar on a terminal (stderr), plain lines every 10% otherwise. */
function progressPrinter(name: string) {
  const tty = process.stderr.isTTY === true;
  let lastDecile = -1;
  let lastDraw = 0;
  const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
  return {
    update(done: number, total: number) {
      const fraction = total > 0 ? done / total : 1;
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < 100 && done < total) return;
        lastDraw = now;
        const width = 30;
        const filled = Math.round(fraction * width);
        process.stderr.write(`\r${name} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${mib(done)}/${mib(total)} MiB`);
        return;
      }
      const decile = Math.floor(fraction * 10);
      if (decile > lastDecile) {
        lastDecile = decile;
        process.stderr.write(`${name}: ${decile * 10}% (${done} of ${total} bytes)\n`);
      }
    },
    end() {
      if (tty && lastDraw > 0) process.stderr.write('\n');
    },
  };
}
