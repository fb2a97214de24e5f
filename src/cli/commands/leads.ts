/** `vmarket leads list OFFER_ID [--csv] [--json]`: the customers who acquired the offer. */
import type { Command } from 'commander';
import { offerPath, openSession, resolvePublisher, type ServerFlags, withServerOptions } from '../common.ts';
import { print, printJson } from '../output.ts';
import { formatCsv, formatTable } from '../table.ts';

interface Lead {
  id: string;
  offerId?: string;
  planId?: string;
  subscriptionId?: string;
  contact?: { name?: string; email?: string; company?: string };
  kind?: string;
  deliveryStatus?: string;
  createdAt?: string;
}

/** The CSV columns of `leads list --csv`, in order. */
export const LEAD_CSV_HEADER = ['id', 'createdAt', 'offer', 'plan', 'subscriptionId', 'name', 'email', 'company', 'kind', 'deliveryStatus'];

export function registerLeadsCommand(program: Command): void {
  const leads = program.command('leads').description('leads: customers who acquired your offers');
  withServerOptions(
    leads
      .command('list')
      .description('list the offer\'s leads')
      .argument('<offer-id>', 'the offer')
      .option('--csv', `print CSV (${LEAD_CSV_HEADER.join(',')})`)
      .option('--json', 'print the leads as one JSON document'),
  ).action(async (offerId: string, flags: ServerFlags & { csv?: boolean; json?: boolean }) => {
    const session = await openSession(flags);
    const publisher = await resolvePublisher(session, flags);
    const list = await session.client.getAll<Lead>(`${offerPath(publisher, offerId)}/leads`, 'leads');
    if (flags.json) return printJson(list);
    const rows = list.map((l) => [
      l.id,
      l.createdAt ?? '',
      l.offerId ?? offerId,
      l.planId ?? '',
      l.subscriptionId ?? '',
      l.contact?.name ?? '',
      l.contact?.email ?? '',
      l.contact?.company ?? '',
      l.kind ?? '',
      l.deliveryStatus ?? '',
    ]);
    if (flags.csv) return void process.stdout.write(formatCsv(LEAD_CSV_HEADER, rows));
    if (list.length === 0) return print(`no leads for ${publisher}/${offerId} yet`);
    print(
      ...formatTable(
        ['RECEIVED', 'PLAN', 'SUBSCRIPTION', 'NAME', 'EMAIL', 'COMPANY', 'KIND', 'DELIVERY'],
        rows.map((r) => [r[1].slice(0, 19).replace('T', ' '), r[3], r[4], r[5], r[6], r[7], r[8], r[9]]),
      ),
    );
  });
}
