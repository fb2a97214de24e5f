/**
 * Operator helpers: `vmarket publishers create ID --name N` (prints the new publisher's token,
 * shown once) and `vmarket review OFFER_ID --publisher P --approve|--reject --feedback TEXT`
 * (the manual certification review). Both use the operator token: `--token`, else
 * `$VMARKET_OPERATOR_TOKEN`, else the credentials file's operator token.
 */
import { type Command, Option } from 'commander';
import { VmarketError } from '../../errors.ts';
import { seg } from '../client.ts';
import { offerPath, openSession, type ServerFlags, withServerOptions } from '../common.ts';
import { print, printJson } from '../output.ts';

export function registerOperatorCommands(program: Command): void {
  const publishers = program.command('publishers').description('operator: manage publishers');
  withServerOptions(
    publishers
      .command('create')
      .description('create a publisher and print its bearer token (shown once)')
      .argument('<id>', 'publisher id, [a-z0-9-]')
      .requiredOption('--name <name>', 'display name')
      .option('--json', 'print {id, name, token} as one JSON document'),
    { publisher: false },
  ).action(async (id: string, flags: ServerFlags & { name: string; json?: boolean }) => {
    const session = await openSession(flags, { operator: true });
    const answer = await session.client.post<{ id: string; name: string; token: string }>('/publishers', { id, name: flags.name });
    if (flags.json) printJson(answer.body);
    else print(`created publisher ${answer.body.id} (${answer.body.name})`, `token (shown once): ${answer.body.token}`);
  });

  withServerOptions(
    program
      .command('review')
      .description('operator: approve or reject a certification that waits for manual review')
      .argument('<offer-id>', 'the offer')
      .addOption(new Option('--approve', 'approve the certification').conflicts('reject'))
      .addOption(new Option('--reject', 'reject it (the step becomes blocked with your feedback)'))
      .option('--feedback <text>', 'what the publisher reads (required with --reject)')
      .option('--json', 'print the server\'s answer as one JSON document'),
  ).action(async (offerId: string, flags: ServerFlags & { approve?: boolean; reject?: boolean; feedback?: string; json?: boolean }) => {
    if (!flags.approve && !flags.reject) throw new VmarketError('USAGE', 'review needs --approve or --reject');
    if (!flags.publisher) throw new VmarketError('USAGE', 'review needs --publisher ID (the offer\'s publisher)');
    if (flags.reject && !flags.feedback) throw new VmarketError('USAGE', 'a rejection needs --feedback TEXT telling the publisher what to fix');
    const session = await openSession(flags, { operator: true });
    const decision = flags.approve ? 'approve' : 'reject';
    const answer = await session.client.post(`${offerPath(flags.publisher, offerId)}/certification/review`, {
      decision,
      feedback: flags.feedback ?? '',
    });
    if (flags.json) printJson(answer.body ?? {});
    else print(`${decision === 'approve' ? 'approved' : 'rejected'} the certification of ${seg(flags.publisher)}/${offerId}`);
  });
}
