/**
 * The offer lifecycle on the command line (docs/contracts.md §1): the publisher's `deprecate`,
 * `undeprecate`, `stop-sell`, `resume-sell`, `lifecycle` (what was decided, and revocations) and
 * `republish` (answer a revocation's proposal); the operator's `operator revoke` and `gc`.
 */
import { type Command, Option } from 'commander';
import type { GcReport, OfferLifecycle, Revocation, SellState } from '../../contracts/index.ts';
import { parseCatalogKey } from '../../catalog/storefront.ts';
import { VmarketError } from '../../errors.ts';
import { seg } from '../client.ts';
import { offerPath, openSession, resolvePublisher, type ServerFlags, withServerOptions } from '../common.ts';
import { print, printJson } from '../output.ts';
import { formatTable } from '../table.ts';

type PlanFlags = ServerFlags & { plan?: string; json?: boolean };

function describeState(state: SellState): string {
  const parts = [state.sold ? 'sold' : 'not sold'];
  if (state.stoppedAt) parts.push(`stopped ${state.stoppedAt}`);
  if (state.deprecation) {
    const d = state.deprecation;
    parts.push(`deprecated on ${d.on}${d.alternativePlan ? `, use plan ${d.alternativePlan} instead` : ''}${d.reason ? ` (${d.reason})` : ''}`);
  }
  return parts.join('; ');
}

function describeRevocation(r: Revocation): string[] {
  const republish = r.republish
    ? `republish ${r.republish.version}: ${r.republish.status}${r.republish.status === 'pending' ? ` (vmarket republish ${r.offer.split('.')[1]} ${r.id} --accept|--decline)` : ''}`
    : `no republish${r.republishNote ? ` (${r.republishNote})` : ''}`;
  return [`revoked ${r.version} (${r.id}) ${r.revokedAt} by ${r.revokedBy}: ${r.reason}`, `  ${r.customersNotified} customer(s) e-mailed; ${republish}`];
}

function printLifecycle(label: string, doc: OfferLifecycle): void {
  print(`${label}: ${describeState(doc.offer)}`);
  for (const [plan, state] of Object.entries(doc.plans)) print(`  plan ${plan}: ${describeState(state)}`);
  for (const r of doc.revocations) print(...describeRevocation(r));
}

export function registerOfferLifecycleCommands(program: Command): void {
  const planOption = (command: Command) => command.option('--plan <plan>', 'one plan (default: the whole offer)').option('--json', 'print the offer\'s lifecycle as one JSON document');

  withServerOptions(
    planOption(
      program
        .command('deprecate')
        .description('deprecate the live offer or one plan: from DATE on (UTC) acquire refuses; the storefront marks it now')
        .argument('<offer-id>', 'the offer')
        .requiredOption('--date <YYYY-MM-DD>', 'the day acquisitions stop (today or later)')
        .option('--alternative-plan <plan>', 'with --plan: the plan of the same offer customers should take instead')
        .option('--reason <text>', 'shown to customers'),
    ),
  ).action(async (offerId: string, flags: PlanFlags & { date: string; alternativePlan?: string; reason?: string }) => {
    const session = await openSession(flags);
    const publisher = await resolvePublisher(session, flags);
    const body = { date: flags.date, plan: flags.plan, alternativePlan: flags.alternativePlan, reason: flags.reason };
    const answer = await session.client.post<OfferLifecycle>(`${offerPath(publisher, offerId)}/deprecate`, body);
    if (flags.json) printJson(answer.body);
    else printLifecycle(`${publisher}/${offerId}`, answer.body);
  });

  const simple = (name: string, verb: string, description: string) =>
    withServerOptions(planOption(program.command(name).description(description).argument('<offer-id>', 'the offer'))).action(
      async (offerId: string, flags: PlanFlags) => {
        const session = await openSession(flags);
        const publisher = await resolvePublisher(session, flags);
        const answer = await session.client.post<OfferLifecycle>(`${offerPath(publisher, offerId)}/${verb}`, flags.plan ? { plan: flags.plan } : {});
        if (flags.json) printJson(answer.body);
        else printLifecycle(`${publisher}/${offerId}`, answer.body);
      },
    );
  simple('undeprecate', 'undeprecate', 'undo a deprecation before its day');
  simple('stop-sell', 'stop-sell', 'stop selling the offer or one plan at once (acquire refuses; a whole offer leaves the catalogue list)');
  simple('resume-sell', 'resume-sell', 'sell the offer or plan again after stop-sell');

  withServerOptions(
    program
      .command('lifecycle')
      .description('show what was decided about selling the offer and its plans, and its revocations')
      .argument('<offer-id>', 'the offer')
      .option('--json', 'print one JSON document'),
  ).action(async (offerId: string, flags: PlanFlags) => {
    const session = await openSession(flags);
    const publisher = await resolvePublisher(session, flags);
    const answer = await session.client.get<OfferLifecycle>(`${offerPath(publisher, offerId)}/lifecycle`);
    if (flags.json) printJson(answer.body);
    else printLifecycle(`${publisher}/${offerId}`, answer.body);
  });

  withServerOptions(
    program
      .command('republish')
      .description('answer a revocation\'s proposal to put the previous version live again')
      .argument('<offer-id>', 'the offer')
      .argument('<revocation-id>', 'the revocation (vmarket lifecycle OFFER lists them)')
      .addOption(new Option('--accept', 'the previous version goes live again').conflicts('decline'))
      .addOption(new Option('--decline', 'it stays out of the catalogue'))
      .option('--json', 'print the revocation as one JSON document'),
  ).action(async (offerId: string, revocationId: string, flags: ServerFlags & { accept?: boolean; decline?: boolean; json?: boolean }) => {
    if (!flags.accept && !flags.decline) throw new VmarketError('USAGE', 'republish needs --accept or --decline');
    const session = await openSession(flags);
    const publisher = await resolvePublisher(session, flags);
    const decision = flags.accept ? 'accept' : 'decline';
    const answer = await session.client.post<Revocation>(`${offerPath(publisher, offerId)}/revocations/${seg(revocationId)}/republish`, { decision });
    if (flags.json) printJson(answer.body);
    else print(...describeRevocation(answer.body));
  });

  const operator = program.command('operator').description('operator: act on any publisher\'s offers');
  withServerOptions(
    operator
      .command('revoke')
      .description('revoke a version for a security reason: out of the catalogue, downloads stop, its customers are e-mailed')
      .argument('<publisher.offer>', 'the offer, e.g. contoso.web')
      .argument('<version>', 'the version: the operation id of its live slot or of a version that was live')
      .requiredOption('--reason <text>', 'the security reason customers read')
      .option('--json', 'print the revocation as one JSON document'),
    { publisher: false },
  ).action(async (key: string, version: string, flags: ServerFlags & { reason: string; json?: boolean }) => {
    const parsed = parseCatalogKey(key);
    if (!parsed) throw new VmarketError('USAGE', `name the offer as publisher.offer, not ${JSON.stringify(key)}`);
    const session = await openSession(flags, { operator: true });
    const answer = await session.client.post<Revocation>(`${offerPath(parsed.publisherId, parsed.offerId)}/versions/${seg(version)}/revoke`, { reason: flags.reason });
    if (flags.json) printJson(answer.body);
    else print(...describeRevocation(answer.body));
  });

  withServerOptions(
    program
      .command('gc')
      .description('operator: remove stored objects nothing references, older than gc.graceHours, from the primary store and every region')
      .option('--dry-run', 'only list what would be removed')
      .option('--json', 'print the report as one JSON document'),
    { publisher: false },
  ).action(async (flags: ServerFlags & { dryRun?: boolean; json?: boolean }) => {
    const session = await openSession(flags, { operator: true });
    const report = (await session.client.post<GcReport>('/gc', { dryRun: Boolean(flags.dryRun) })).body;
    if (flags.json) return printJson(report);
    const verb = report.dryRun ? 'would remove' : 'removed';
    print(
      ...formatTable(
        ['STORE', 'OBJECTS', 'BYTES', 'KEPT (REFERENCED)', 'KEPT (YOUNGER THAN GRACE)'],
        report.stores.map((s) => [s.store, String(s.removed.length), String(s.bytes), String(s.kept.referenced), String(s.kept.young)]),
      ),
    );
    for (const s of report.stores) {
      for (const o of s.removed) print(`${s.store}: ${verb} ${o.sha256} (${o.size} bytes, written ${o.modifiedAt})`);
      for (const e of s.errors) print(`${s.store}: ${e}`);
    }
    print(`${verb} ${report.count} object(s), ${report.bytes} bytes (grace period ${report.graceHours} h)`);
  });
}
