/**
 * The audit log as a filterable table with "Load more" (cursor pages): the operator's view of
 * every publisher (`/operator/audit`, base `/audit`, with a publisher filter) and a publisher's
 * own events in the portal (`/portal/audit`, base `/publishers/{pub}/audit`).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { AuditActorKind, AuditEvent, AuditOutcome, AuditPage } from '../../../../contracts/index.ts';
import { ErrorMessage, Loading } from '../../components/ErrorMessage.tsx';
import { Field } from '../../components/Field.tsx';
import { useFormat } from '../../format.ts';
import '../portal/tickets-leads.css'; // .stack-table: tables become cards on phones
import './audit.css';

/** Events per page: enough to scan, small enough to answer fast. */
const PAGE_SIZE = 25;

interface Filters {
  publisher: string;
  actor: string;
  outcome: string;
  target: string;
}

// the contract's enums, typed against it (a value import would bring zod into the bundle)
const ACTOR_KINDS = ['operator', 'publisher', 'anonymous', 'system'] as const satisfies readonly AuditActorKind[];
const OUTCOMES = ['succeeded', 'failed'] as const satisfies readonly AuditOutcome[];

const NO_FILTERS: Filters = { publisher: '', actor: '', outcome: '', target: '' };

function pageUrl(base: string, filters: Filters, cursor: string | null): string {
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  for (const [key, value] of Object.entries(filters)) if (value.trim()) query.set(key, value.trim());
  if (cursor) query.set('cursor', cursor);
  return `${base}?${query}`;
}

export function AuditLog({ base, showPublisher, headingId }: { base: string; showPublisher: boolean; headingId: string }) {
  const { t, i18n } = useTranslation('audit');
  const format = useFormat();
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(undefined);
  const generation = useRef(0);

  // one page after `after` (null: the first); a newer load (other filters) wins over an older one
  const load = useCallback(
    async (after: string | null) => {
      const mine = ++generation.current;
      setLoading(true);
      try {
        const page = await api.get<AuditPage>(pageUrl(base, filters, after));
        if (mine !== generation.current) return;
        setEvents((shown) => (after ? [...shown, ...page.events] : page.events));
        setCursor(page.nextCursor);
        setError(undefined);
      } catch (cause) {
        if (mine === generation.current) setError(cause);
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [base, filters],
  );

  useEffect(() => {
    void load(null);
  }, [load, i18n.language]);

  const field = (key: keyof Filters) => ({
    value: draft[key],
    onChange: (event: { target: { value: string } }) => setDraft((d) => ({ ...d, [key]: event.target.value })),
  });

  return (
    <>
      <form
        className="audit-filters"
        aria-label={t('filters.label')}
        onSubmit={(event) => {
          event.preventDefault();
          setFilters(draft);
        }}
      >
        {showPublisher && (
          <Field id="audit-publisher" label={t('filters.publisher')}>
            <input type="text" {...field('publisher')} />
          </Field>
        )}
        <Field id="audit-actor" label={t('filters.actor')}>
          <select {...field('actor')}>
            <option value="">{t('filters.any')}</option>
            {ACTOR_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {t(`actor.${kind}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="audit-outcome" label={t('filters.outcome')}>
          <select {...field('outcome')}>
            <option value="">{t('filters.any')}</option>
            {OUTCOMES.map((outcome) => (
              <option key={outcome} value={outcome}>
                {t(`outcome.${outcome}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="audit-target" label={t('filters.target')} hint={t('filters.targetHint')}>
          <input type="text" {...field('target')} />
        </Field>
        <button type="submit">{t('filters.apply')}</button>
      </form>
      <ErrorMessage error={error} onRetry={() => void load(null)} />
      {loading && events.length === 0 && <Loading />}
      {!loading && !error && events.length === 0 && <p>{t('empty')}</p>}
      {events.length > 0 && (
        <div className="table-wrap">
          <table className="audit-table stack-table" aria-describedby={headingId}>
            <caption className="visually-hidden">{t('caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('columns.at')}</th>
                <th scope="col">{t('columns.actor')}</th>
                <th scope="col">{t('columns.token')}</th>
                {showPublisher && <th scope="col">{t('columns.publisher')}</th>}
                <th scope="col">{t('columns.action')}</th>
                <th scope="col">{t('columns.target')}</th>
                <th scope="col">{t('columns.outcome')}</th>
                <th scope="col">{t('columns.address')}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => (
                <tr key={event.id}>
                  <td data-label={t('columns.at')}>
                    <time dateTime={event.at}>{format.dateTime(event.at)}</time>
                  </td>
                  <td data-label={t('columns.actor')}>
                    {t(`actor.${event.actor.kind}`)}
                    {event.actor.publisherId ? ` ${event.actor.publisherId}` : ''}
                  </td>
                  <td data-label={t('columns.token')} className="mono">{event.actor.tokenId ?? '—'}</td>
                  {showPublisher && <td data-label={t('columns.publisher')} className="mono">{event.publisherId ?? '—'}</td>}
                  <td data-label={t('columns.action')} className="mono">
                    {event.method} {event.route.replace(/^\/api\/v1/, '')}
                  </td>
                  <td data-label={t('columns.target')} className="mono">{event.target ?? '—'}</td>
                  <td data-label={t('columns.outcome')}>
                    {t(`outcome.${event.outcome}`)}
                    {event.outcome === 'failed' && event.status !== null ? ` (${event.status}${event.errorCode ? ` ${event.errorCode}` : ''})` : ''}
                  </td>
                  <td data-label={t('columns.address')} className="mono">{event.address ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="audit-count muted" aria-live="polite">
        {t('shown', { count: events.length })}
      </p>
      {cursor && (
        <button type="button" onClick={() => void load(cursor)} disabled={loading}>
          {t('more')}
        </button>
      )}
    </>
  );
}
