/**
 * `vmarket audit list`: the audit log, newest first, as a table or (`--json`) one document
 * `{events}`. With the operator token (`--token`, `$VMARKET_OPERATOR_TOKEN`, the credentials
 * file's operator token) it reads every publisher's events (`--publisher` narrows them); with a
 * publisher's token, that publisher's own. It follows `nextCursor` until `--limit` events.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { AUDIT_ACTOR_KINDS, AUDIT_OUTCOMES, type AuditEvent, type AuditPage, MAX_PAGE_SIZE } from '../../contracts/index.ts';
import { seg } from '../client.ts';
import { openSession, publisherIdOf, type ServerFlags, withServerOptions } from '../common.ts';
import { print, printJson } from '../output.ts';
import { formatTable } from '../table.ts';
import { printable } from '../../util/printable.ts';

interface AuditFlags extends ServerFlags {
  actor?: string;
  tokenId?: string;
  route?: string;
  target?: string;
  outcome?: string;
  since?: string;
  until?: string;
  limit: number;
  json?: boolean;
}

const DEFAULT_LIMIT = 100;

function parseLimit(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError('the limit is a whole number of at least 1.');
  return n;
}

/** A cell with its control characters made visible: events quote what callers sent (paths), and an escape sequence must not reach the terminal. */
function cell(value: string | number | null): string {
  return printable(String(value ?? ''));
}

export function registerAuditCommand(program: Command): void {
  const audit = program.command('audit').description('the audit log: every state-changing request, who, what, when, from where');
  withServerOptions(
    audit
      .command('list')
      .description('list audit events, newest first (operator: every publisher\'s; a publisher: its own)')
      .addOption(new Option('--actor <kind>', 'only events of this actor kind').choices(AUDIT_ACTOR_KINDS))
      .option('--token-id <id>', 'only events of this token (its 12-hex fingerprint)')
      .option('--route <pattern>', 'only this route pattern, e.g. /api/v1/publishers/:pub/offers/:offer')
      .option('--target <text>', 'only targets starting with this, e.g. "offer contoso/ubuntu"')
      .addOption(new Option('--outcome <outcome>', 'only succeeded or failed requests').choices(AUDIT_OUTCOMES))
      .option('--since <time>', 'events at or after this ISO 8601 time')
      .option('--until <time>', 'events before this ISO 8601 time')
      .option('--limit <n>', `at most this many events (pages of up to ${MAX_PAGE_SIZE} are followed)`, parseLimit, DEFAULT_LIMIT)
      .option('--json', 'print {events} as one JSON document'),
  ).action(async (flags: AuditFlags) => {
    const session = await openSession(flags, { operator: true });
    const me = (await session.client.get<Record<string, unknown>>('/me')).body;
    const own = publisherIdOf(me);
    const filters: Record<string, string | undefined> = {
      actor: flags.actor,
      tokenId: flags.tokenId,
      route: flags.route,
      target: flags.target,
      outcome: flags.outcome,
      since: flags.since,
      until: flags.until,
    };
    // the operator filters the whole log; a publisher's token reads its own (or is refused another's)
    const base = own === undefined ? '/audit' : `/publishers/${seg(flags.publisher ?? own)}/audit`;
    if (own === undefined) filters.publisher = flags.publisher;
    const events: AuditEvent[] = [];
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(filters)) if (value !== undefined) query.set(key, value);
      query.set('limit', String(Math.min(MAX_PAGE_SIZE, flags.limit - events.length)));
      if (cursor) query.set('cursor', cursor);
      const page: AuditPage = (await session.client.get<AuditPage>(`${base}?${query}`)).body;
      events.push(...page.events);
      cursor = page.nextCursor;
    } while (cursor && events.length < flags.limit);

    if (flags.json) return printJson({ events });
    if (events.length === 0) return print('no audit events');
    print(
      ...formatTable(
        ['AT', 'ACTOR', 'TOKEN', 'METHOD', 'ROUTE', 'TARGET', 'OUTCOME', 'ADDRESS'],
        events.map((e) => [
          e.at.slice(0, 19).replace('T', ' '),
          e.actor.kind === 'publisher' ? `publisher:${e.actor.publisherId ?? ''}` : e.actor.kind,
          e.actor.tokenId ?? '',
          e.method,
          e.route.replace(/^\/api\/v1/, ''),
          e.target ?? '',
          e.outcome === 'failed' ? `failed ${e.status ?? ''} ${e.errorCode ?? ''}`.trim() : 'succeeded',
          e.address ?? '',
        ].map(cell)),
      ),
    );
  });
}
