/**
 * `vmarket golive OFFER_ID` (the publisher's sign-off: deploy to every region, then live) and
 * `vmarket cancel OFFER_ID` (stop the running publication).
 */
import type { Command } from 'commander';
import { offerPath, openSession, resolvePublisher, type ServerFlags, withServerOptions } from '../common.ts';
import { followPublication, publicationFailure, type FollowState } from '../follow.ts';
import { print, printJson, reportFailure } from '../output.ts';
import type { OfferStatusDocument } from '../../contracts/index.ts';

export function registerLifecycleCommands(program: Command): void {
  withServerOptions(
    program
      .command('golive')
      .description('sign off the previewed offer: deploy it to every region and make it live')
      .argument('<offer-id>', 'the offer')
      .option('--wait', 'follow deploy and live until the publication ends (exit 1 when it failed or was canceled)')
      .option('--json', 'print one JSON document (with --wait: the final status)'),
  ).action(async (offerId: string, flags: ServerFlags & { wait?: boolean; json?: boolean }, command: Command) => {
    const session = await openSession(flags);
    const publisher = await resolvePublisher(session, flags);
    const label = `${publisher}/${offerId}`;
    // what the publication showed before sign-off, so --wait reports only what follows it
    const seen: FollowState = new Map();
    if (flags.wait) {
      const before = (await session.client.get<OfferStatusDocument>(`${offerPath(publisher, offerId)}/status`)).body;
      for (const step of before.steps) seen.set(step.id, { status: step.status, messages: step.messages.length });
    }
    const answer = await session.client.post<Record<string, unknown>>(`${offerPath(publisher, offerId)}/golive`, {});
    if (!flags.wait) {
      if (flags.json) printJson(answer.body ?? {});
      else print(`${label}: signed off; deploying to every region, then live`, `follow it with: vmarket status ${offerId} --watch`);
      return;
    }
    if (!flags.json) print(`${label}: signed off; deploying to every region, then live`);
    const status = await followPublication({
      client: session.client,
      publisher,
      offerId,
      until: 'end',
      seen,
      onLine: flags.json ? undefined : (line) => print(line),
    });
    if (flags.json) printJson(status);
    if (status.status !== 'succeeded') {
      process.exitCode = reportFailure(publicationFailure(label, status), { debug: Boolean(command.optsWithGlobals().debug), json: false });
    } else if (!flags.json) print('', `${label} is live.`);
  });

  withServerOptions(
    program
      .command('cancel')
      .description('cancel the offer\'s running publication')
      .argument('<offer-id>', 'the offer')
      .option('--json', 'print the server\'s answer as one JSON document'),
  ).action(async (offerId: string, flags: ServerFlags & { json?: boolean }) => {
    const session = await openSession(flags);
    const publisher = await resolvePublisher(session, flags);
    const answer = await session.client.post<Record<string, unknown>>(`${offerPath(publisher, offerId)}/cancel`, {});
    if (flags.json) printJson(answer.body ?? {});
    else print(`${publisher}/${offerId}: cancel requested; the running step stops at its next checkpoint`);
  });
}
