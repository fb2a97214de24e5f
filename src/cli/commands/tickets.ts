/**
 * `vmarket tickets list` (support tickets, including those stuck steps opened by themselves) and
 * `vmarket tickets open --offer X --title T --body B`.
 */
import type { Command } from 'commander';
import { openSession, resolvePublisher, type ServerFlags, withServerOptions } from '../common.ts';
import { seg } from '../client.ts';
import { print, printJson } from '../output.ts';
import { formatTable } from '../table.ts';

interface Ticket {
  id: string;
  offerId?: string | null;
  stepId?: string | null;
  source?: string;
  status?: string;
  title: string;
  createdAt?: string;
}

export function registerTicketsCommand(program: Command): void {
  const tickets = program.command('tickets').description('support tickets (a step past its expected maximum opens one by itself)');

  withServerOptions(
    tickets
      .command('list')
      .description('list the publisher\'s support tickets')
      .option('--json', 'print the tickets as one JSON document'),
  ).action(async (flags: ServerFlags & { json?: boolean }) => {
    const session = await openSession(flags);
    const publisher = await resolvePublisher(session, flags);
    const list = await session.client.getAll<Ticket>(`/publishers/${seg(publisher)}/tickets`, 'tickets');
    if (flags.json) return printJson(list);
    if (list.length === 0) return print(`no tickets for ${publisher}`);
    print(
      ...formatTable(
        ['ID', 'STATUS', 'SOURCE', 'OFFER', 'STEP', 'OPENED', 'TITLE'],
        list.map((t) => [t.id, t.status ?? '', t.source ?? '', t.offerId ?? '', t.stepId ?? '', (t.createdAt ?? '').slice(0, 19).replace('T', ' '), t.title]),
      ),
    );
  });

  withServerOptions(
    tickets
      .command('open')
      .description('open a support ticket')
      .requiredOption('--title <text>', 'one-line summary')
      .requiredOption('--body <text>', 'what happened and what you expected')
      .option('--offer <offer-id>', 'the offer it is about')
      .option('--json', 'print the new ticket as one JSON document'),
  ).action(async (flags: ServerFlags & { offer?: string; title: string; body: string; json?: boolean }) => {
    const session = await openSession(flags);
    const publisher = await resolvePublisher(session, flags);
    const answer = await session.client.post<Ticket>(`/publishers/${seg(publisher)}/tickets`, {
      ...(flags.offer ? { offerId: flags.offer } : {}),
      title: flags.title,
      body: flags.body,
    });
    if (flags.json) printJson(answer.body);
    else print(`opened ticket ${answer.body?.id ?? ''} for ${publisher}${flags.offer ? `/${flags.offer}` : ''}`);
  });
}
