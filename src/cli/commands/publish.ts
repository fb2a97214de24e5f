/**
 * `vmarket publish OFFER_ID [--wait] [--notify EMAIL]...`: submits the draft; with --wait,
 * follows the steps until the offer waits for sign-off (then says how to go live) or the
 * publication ends (exit 1 when it failed or was canceled).
 */
import type { Command } from 'commander';
import { collect, offerPath, openSession, operationIdOf, resolvePublisher, type ServerFlags, withServerOptions } from '../common.ts';
import { followPublication, publicationFailure } from '../follow.ts';
import { print, printJson, reportFailure } from '../output.ts';

export function registerPublishCommand(program: Command): void {
  withServerOptions(
    program
      .command('publish')
      .description('submit the offer\'s draft for publishing (validate → test drive → certify → provision → package → sign-off → deploy → live)')
      .argument('<offer-id>', 'the offer')
      .option('--wait', 'follow the steps until the offer waits for your sign-off or the publication ends (exit 1 when it failed or was canceled)')
      .option('--notify <email>', 'email this address about the publication (repeatable)', collect, [])
      .option('--json', 'print one JSON document: {operationId} (with --wait: the final status)'),
  ).action(async (offerId: string, flags: ServerFlags & { wait?: boolean; notify: string[]; json?: boolean }, command: Command) => {
    const session = await openSession(flags);
    const publisher = await resolvePublisher(session, flags);
    const label = `${publisher}/${offerId}`;
    const answer = await session.client.post<Record<string, unknown>>(`${offerPath(publisher, offerId)}/publish`, {
      notifyEmails: flags.notify,
    });
    const operationId = operationIdOf(answer.body, answer.headers);
    if (!flags.wait) {
      if (flags.json) printJson({ operationId, ...answer.body });
      else print(`publishing ${label}: operation ${operationId}`, `follow it with: vmarket status ${offerId} --watch`);
      return;
    }
    if (!flags.json) print(`publishing ${label}: operation ${operationId}`);
    const status = await followPublication({
      client: session.client,
      publisher,
      offerId,
      operationId,
      until: 'review',
      onLine: flags.json ? undefined : (line) => print(line),
    });
    if (flags.json) printJson(status);
    if (status.status === 'waitingForPublisherReview') {
      if (!flags.json) {
        print(
          '',
          `${label} waits for your sign-off: try it in your preview subscriptions, then run`,
          `  vmarket golive ${offerId}     (or: vmarket cancel ${offerId})`,
        );
      }
      return;
    }
    if (status.status !== 'succeeded') {
      // the status document (under --json) is already the one document on stdout
      process.exitCode = reportFailure(publicationFailure(label, status), { debug: Boolean(command.optsWithGlobals().debug), json: false });
      return;
    }
    if (!flags.json) print('', `${label} is live.`);
  });
}
