/**
 * `vmarket vulndb sync [--source URL|DIR] [--ecosystem NAME]... [--config FILE]
 * [--allow-private-networks] [--json]`: fetches the OSV ecosystem archives and indexes them under
 * the configuration's `<dataDir>/vulndb` (src/vulndb/), the database `packages.vulnerabilities`
 * reads; and `vmarket vulndb status`, what is there and how old it is. Runs on the server's
 * machine, no server needed; progress on stderr. Exit 0 done, 2 a source that cannot be read
 * (the database in use is then unchanged).
 */
import type { Command } from 'commander';
import { print, printJson } from '../output.ts';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerVulndbCommand(program: Command): void {
  const vulndb = program.command('vulndb').description('the vulnerability database (OSV) that certification matches installed packages against');
  vulndb
    .command('sync')
    .description('download the OSV archives (Debian, Ubuntu, AlmaLinux, Rocky Linux by default) and index them under <dataDir>/vulndb')
    .option('--source <url-or-dir>', 'where the archives are: a URL prefix holding <ecosystem>/all.zip, or a directory holding <ecosystem>/all.zip or <ecosystem>/*.json (default https://osv-vulnerabilities.storage.googleapis.com)')
    .option('--ecosystem <name>', 'an OSV ecosystem archive to sync; repeat for more (default: Debian, Ubuntu, AlmaLinux, Rocky Linux)', collect, [])
    .option('--config <file>', 'server configuration whose dataDir (and certification.vulnerabilities.directory) receives the database (default: $VMARKET_CONFIG, else the defaults)')
    .option('--allow-private-networks', 'allow a source URL on a loopback, private or link-local address, over plain http too (a local mirror); default: the configuration\'s imports.allowPrivateNetworks')
    .option('--json', 'print the new database\'s metadata as one JSON document')
    .action(async (flags: { source?: string; ecosystem: string[]; config?: string; allowPrivateNetworks?: boolean; json?: boolean }) => {
      const [{ loadConfig }, { DEFAULT_ECOSYSTEMS, DEFAULT_OSV_SOURCE, syncVulnerabilityDatabase }, { vulnDbDirectory }] = await Promise.all([
        import('../../config/load.ts'),
        import('../../vulndb/sync.ts'),
        import('../../vulndb/store.ts'),
      ]);
      const config = loadConfig({ file: flags.config });
      const meta = await syncVulnerabilityDatabase({
        source: flags.source ?? DEFAULT_OSV_SOURCE,
        ecosystems: flags.ecosystem.length ? flags.ecosystem : DEFAULT_ECOSYSTEMS,
        directory: vulnDbDirectory(config),
        allowPrivateNetworks: flags.allowPrivateNetworks ?? config.imports.allowPrivateNetworks,
        trustedCaFiles: config.trustedCaFiles,
        onProgress: (line) => process.stderr.write(`vulndb: ${line}\n`),
      });
      if (flags.json) printJson(meta);
      else print(...Object.entries(meta.ecosystems).map(([name, e]) => `${name}: ${e.packages} packages, ${e.vulnerabilities} vulnerability records`), `synced ${meta.syncedAt} from ${meta.source}`);
    });
  vulndb
    .command('status')
    .description('show the vulnerability database in use: when it was synced, from where, and its ecosystems')
    .option('--config <file>', 'server configuration (default: $VMARKET_CONFIG, else the defaults)')
    .option('--json', 'print the metadata as one JSON document')
    .action(async (flags: { config?: string; json?: boolean }) => {
      const [{ loadConfig }, { ageDays, readVulnDbMeta, vulnDbDirectory }] = await Promise.all([import('../../config/load.ts'), import('../../vulndb/store.ts')]);
      const directory = vulnDbDirectory(loadConfig({ file: flags.config }));
      const meta = await readVulnDbMeta(directory);
      if (flags.json) return printJson(meta ? { directory, ageDays: ageDays(meta, new Date()), ...meta } : { directory, synced: false });
      if (!meta) return print(`no vulnerability database in ${directory}: run \`vmarket vulndb sync\``);
      print(`${directory}: synced ${meta.syncedAt} (${ageDays(meta, new Date())} day(s) ago) from ${meta.source}`, ...Object.entries(meta.ecosystems).map(([name, e]) => `${name}: ${e.packages} packages, ${e.vulnerabilities} vulnerability records`));
    });
}
