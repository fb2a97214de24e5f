/**
 * `vmarket offer validate FILE` (the prerequisite checks, locally, against the local config) and
 * `vmarket offer push FILE` (create or update the offer's draft on the server).
 */
import type { Command } from 'commander';
import type { LeadSecretShown } from '../../contracts/index.ts';
import { VmarketError } from '../../errors.ts';
import { offerPath, openSession, readOfferFile, resolvePublisher, type ServerFlags, withServerOptions } from '../common.ts';
import { localizeTree } from '../../i18n/localize-tree.ts';
import { print, printJson } from '../output.ts';

export function registerOfferCommand(program: Command): void {
  const offer = program.command('offer').description('check an offer file locally or push it to the server as a draft');

  offer
    .command('validate')
    .description('run the prerequisite checks on an offer file locally (schema, regions, categories, image sources, LUNs); lists every problem')
    .argument('<file>', 'offer file, YAML or JSON')
    .option('--config <file>', 'the server configuration to check against (regions, categories, import dirs; default: $VMARKET_CONFIG, else the embedded default)')
    .option('--publisher <id>', 'the publisher to check as (default: the file\'s publisher)')
    .option('--json', 'print {valid, problems} as one JSON document')
    .action(async (file: string, flags: { config?: string; publisher?: string; json?: boolean }) => {
      const document = readOfferFile(file);
      const [{ loadConfig }, { validateOffer }] = await Promise.all([import('../../config/load.ts'), import('../../offers/validate.ts')]);
      const config = loadConfig({ file: flags.config });
      const publisherId = flags.publisher ?? (typeof document.publisher === 'string' ? document.publisher : '');
      const { problems } = await validateOffer(document, { config, publisherId });
      // English, the command line's language: the problems' `translations` are for the API
      if (flags.json) printJson(localizeTree({ valid: problems.length === 0, problems }, 'en'));
      else if (problems.length === 0) print(`${file}: valid`);
      else {
        process.stderr.write(`vmarket: ${file} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n`);
        for (const problem of problems) process.stderr.write(`  ${problem.path}: ${problem.message}\n`);
      }
      if (problems.length > 0) process.exitCode = 1;
    });

  withServerOptions(
    offer
      .command('push')
      .description('create or update the offer\'s draft on the server (the file\'s id names the offer)')
      .argument('<file>', 'offer file, YAML or JSON')
      .option('--if-match <etag>', 'only update when the draft still has this etag (else exit 1)')
      .option('--json', 'print the server\'s answer as one JSON document'),
  ).action(async (file: string, flags: ServerFlags & { ifMatch?: string; json?: boolean }) => {
    const document = readOfferFile(file);
    if (typeof document.id !== 'string' || !document.id) {
      throw new VmarketError('BAD_REQUEST', `the offer file ${file} has no id`);
    }
    const session = await openSession(flags);
    const publisher = await resolvePublisher(session, flags, typeof document.publisher === 'string' ? document.publisher : undefined);
    const answer = await session.client.put<Record<string, unknown>>(offerPath(publisher, document.id), document, {
      headers: flags.ifMatch ? { 'if-match': flags.ifMatch } : undefined,
    });
    const etag = (typeof answer.body?.etag === 'string' ? answer.body.etag : undefined) ?? answer.headers.get('etag') ?? '';
    if (flags.json) return printJson(answer.body);
    print(`${answer.status === 201 ? 'created' : 'updated'} the draft of ${publisher}/${document.id}${etag ? ` (etag ${etag})` : ''}`);
    // the first save with an https destination generated the offer's lead signing secret
    const leadSecret = answer.body?.leadSecret as LeadSecretShown | undefined;
    if (leadSecret?.secret) {
      print(
        `generated the lead signing secret of ${publisher}/${document.id} (${leadSecret.fingerprint}):`,
        leadSecret.secret,
        'It is shown only now: store it with your lead receiver (a new one: vmarket leads secret rotate).',
      );
    }
  });
}
