/**
 * `vmarket leads list OFFER_ID [--csv] [--json]`: the customers who acquired the offer.
 * `vmarket leads secret show|rotate --offer ID [--json]`: the offer's lead signing secret's
 * fingerprint, and a new secret (printed this once: the server keeps it encrypted and never shows
 * it again).
 */
import type { Command } from 'commander';
import type { LeadSecretInfo, LeadSecretShown } from '../../contracts/index.ts';
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

  registerLeadSecretCommands(leads);
}

function registerLeadSecretCommands(leads: Command): void {
  const secret = leads
    .command('secret')
    .description('the offer\'s lead signing secret: receivers check X-Vmarket-Signature (HMAC-SHA256 of the body) with it');
  withServerOptions(
    secret
      .command('show')
      .description('whether the offer has a lead signing secret, its fingerprint and creation time (never the secret)')
      .requiredOption('--offer <id>', 'the offer')
      .option('--json', 'print {set, fingerprint, createdAt} as one JSON document'),
  ).action(async (flags: ServerFlags & { offer: string; json?: boolean }) => {
    const session = await openSession(flags);
    const publisher = await resolvePublisher(session, flags);
    const info = (await session.client.get<LeadSecretInfo>(`${offerPath(publisher, flags.offer)}/lead-secret`)).body;
    if (flags.json) return printJson(info);
    if (!info.set) return print(`${publisher}/${flags.offer} has no lead signing secret; make one with: vmarket leads secret rotate --offer ${flags.offer}`);
    print(`${publisher}/${flags.offer}: lead signing secret ${info.fingerprint}, created ${info.createdAt}`);
  });
  withServerOptions(
    secret
      .command('rotate')
      .description('generate a new lead signing secret and print it once; leads are signed with it from now on, the old one stops verifying')
      .requiredOption('--offer <id>', 'the offer')
      .option('--json', 'print {secret, fingerprint, createdAt} as one JSON document'),
  ).action(async (flags: ServerFlags & { offer: string; json?: boolean }) => {
    const session = await openSession(flags);
    const publisher = await resolvePublisher(session, flags);
    const shown = (await session.client.post<LeadSecretShown>(`${offerPath(publisher, flags.offer)}/lead-secret`)).body;
    if (flags.json) return printJson(shown);
    print(
      `new lead signing secret of ${publisher}/${flags.offer} (${shown.fingerprint}):`,
      shown.secret,
      'It is shown only now: store it with your lead receiver, which checks X-Vmarket-Signature with it.',
    );
  });
}
