/**
 * `vmarket certify IMAGE [--data-disk IMAGE]... [--json] [--sarif FILE] [--config FILE]
 * [--accept-formats LIST] [--profile standard|azure] [--sbom FILE] [--boot [--boot-timeout SECONDS]
 * [--boot-console FILE] [--port N]...]`: runs the certification checks locally
 * (docs/contracts.md §1, §6), and with `--boot` boots the image under QEMU (src/boot/). Exit 0
 * passed, 1 failed, 2 unreadable input or bad usage. Progress goes to stderr when it is a terminal.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { CERTIFICATION_PROFILES, type CertificationProfile } from '../../config/schema.ts';
import type { DiskFormat } from '../../contracts/certification.ts';
import { parseFormatList } from '../../certification/policy.ts';
import { VmarketError } from '../../errors.ts';
import { print, printJson } from '../output.ts';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function formatList(value: string): DiskFormat[] {
  try {
    return parseFormatList(value);
  } catch (error) {
    throw new InvalidArgumentError(`${(error as Error).message}.`);
  }
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number of seconds.');
  return n;
}

function portNumber(value: string, previous: number[]): number[] {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('must be a TCP port from 1 to 65535.');
  return [...previous, n];
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export function registerCertifyCommand(program: Command): void {
  program
    .command('certify')
    .description('run the certification checks locally on disk images (format, partitions, Linux hygiene, SSH settings, secrets, malware); no server needed')
    .argument('<image>', 'the OS disk image (raw, qcow2, VMDK, VHD or VHDX)')
    .option('--data-disk <image>', 'a data disk image; repeat for more (LUNs 0, 1, 2… in the order given)', collect, [])
    .option('--json', 'print the certification report (docs/contracts.md §6) as one JSON document')
    .option('--sarif <file>', 'also write the report as SARIF 2.1.0 to this file')
    .option('--sbom <file>', 'also write the CycloneDX 1.6 SBOM of the installed packages (dpkg, rpm) to this file')
    .option('--config <file>', 'server configuration whose `certification` section applies (supported OS, YARA rules, hash lists, ClamAV; default: $VMARKET_CONFIG, else the defaults)')
    .option('--accept-formats <list>', 'the input formats image.format passes, comma-separated (raw,qcow2,vmdk,vhdx,vhd-fixed,vhd-dynamic; default: the configuration\'s certification.acceptedFormats, else all)', formatList)
    .addOption(new Option('--profile <profile>', 'the rules of image.format and image.size: standard, or azure (fixed VHD of whole MiB, 20 MiB to 1023 GiB)').choices(CERTIFICATION_PROFILES))
    .option('--boot', 'also boot the image under QEMU (its own boot loader, a NoCloud seed, an SSH login) and add the boot.* checks')
    .option('--boot-timeout <seconds>', 'longest the boot may take until the SSH login (default: the configuration\'s boot.timeoutSeconds, 300)', positiveNumber)
    .option('--boot-console <file>', 'write the VM\'s serial console log to this file (default: a file in the temp directory when a boot check fails)')
    .option('--port <port>', 'a TCP port the image should serve, checked by boot.ports; repeat for more', portNumber, [])
    .action(async (image: string, flags: { dataDisk: string[]; json?: boolean; sarif?: string; sbom?: string; config?: string; acceptFormats?: DiskFormat[]; profile?: CertificationProfile; boot?: boolean; bootTimeout?: number; bootConsole?: string; port: number[] }) => {
      if (!flags.boot && (flags.bootTimeout !== undefined || flags.bootConsole !== undefined || flags.port.length > 0)) {
        throw new VmarketError('USAGE', '--boot-timeout, --boot-console and --port apply to a boot: add --boot.');
      }
      const [{ loadConfig }, { certifyInSandbox }, { reportToJson }, { reportToSarif }, { renderReportTable }, { validateBoot }, { detachSbom }, { vulnDbDirectory }] = await Promise.all([
        import('../../config/load.ts'),
        import('../../certification/sandbox/index.ts'),
        import('../../certification/report/json.ts'),
        import('../../certification/report/sarif.ts'),
        import('../../certification/report/table.ts'),
        import('../../boot/report.ts'),
        import('../../certification/sbom/detach.ts'),
        import('../../vulndb/store.ts'),
      ]);
      const config = loadConfig({ file: flags.config });
      const interactive = Boolean(process.stderr.isTTY);
      let lastLine = '';
      const onProgress = interactive
        ? (fraction: number, phase: string) => {
            const line = `certifying: ${String(Math.round(fraction * 100)).padStart(3)}%  ${phase}`.slice(0, (process.stderr.columns || 80) - 1);
            if (line !== lastLine) process.stderr.write(`\r\x1b[2K${line}`);
            lastLine = line;
          }
        : undefined;
      const stop = new AbortController();
      const abort = () => stop.abort();
      process.once('SIGINT', abort);
      let report;
      let bootConsole: string | undefined;
      let sbom: string | null = null;
      try {
        // the same sandbox as the server's: an image from elsewhere may be hostile, and the time limit ends a runaway run
        ({ report, sbom } = detachSbom(
          await certifyInSandbox({
            osDisk: image,
            dataDisks: flags.dataDisk.map((path, lun) => ({ lun, path })),
            config: {
              ...config.certification,
              vulnerabilities: { ...config.certification.vulnerabilities, directory: vulnDbDirectory(config) },
              ...(flags.profile ? { profile: flags.profile } : {}),
              ...(flags.acceptFormats ? { acceptedFormats: flags.acceptFormats } : {}),
            },
            onProgress,
            signal: stop.signal,
          }),
        ));
        if (flags.boot) {
          onProgress?.(1, 'booting the image under QEMU');
          const booted = await validateBoot(report, {
            image,
            openPorts: flags.port.map((port) => ({ protocol: 'tcp' as const, port })),
            config,
            runtimeDir: path.join(tmpdir(), 'vmarket-boot'),
            force: true,
            evenIfFailed: true,
            timeoutSeconds: flags.bootTimeout,
            signal: stop.signal,
            onPhase: (phase) => onProgress?.(1, `boot: ${phase}`),
          });
          report = booted.report;
          bootConsole = booted.console;
        }
      } finally {
        process.removeListener('SIGINT', abort);
        if (interactive && lastLine) process.stderr.write('\r\x1b[2K');
      }
      if (bootConsole !== undefined) {
        const bootFailed = report.checks.some((c) => c.id.startsWith('boot.') && c.status === 'failed');
        const file = flags.bootConsole ?? (bootFailed ? path.join(tmpdir(), `vmarket-boot-console-${Date.now()}.log`) : undefined);
        if (file) {
          try {
            await writeFile(file, bootConsole);
          } catch (error) {
            throw new VmarketError('FILE_UNREADABLE', `cannot write the console log ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
          }
          process.stderr.write(`The VM's serial console log is in ${file}.\n`);
        }
      }
      if (flags.sbom) {
        if (sbom === null) throw new VmarketError('FILE_UNREADABLE', `no SBOM: the image has no package database (dpkg, rpm) certification could read, so ${flags.sbom} was not written.`);
        try {
          await writeFile(flags.sbom, sbom);
        } catch (error) {
          throw new VmarketError('FILE_UNREADABLE', `cannot write the SBOM file ${flags.sbom}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
        }
      }
      if (flags.sarif) {
        try {
          await writeFile(flags.sarif, `${JSON.stringify(reportToSarif(report, packageVersion()), null, 2)}\n`);
        } catch (error) {
          throw new VmarketError('FILE_UNREADABLE', `cannot write the SARIF file ${flags.sarif}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
        }
      }
      if (flags.json) printJson(reportToJson(report));
      else {
        const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
        print(...renderReportTable(report, { width: (process.stdout.columns || 100) - 1, color }));
      }
      if (report.result === 'failed') process.exitCode = 1;
    });
}
