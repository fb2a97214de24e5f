/**
 * Every publisher's tickets, newest first, filtered by status. Opening one acts for its
 * publisher and shows it in the portal, where the operator answers, closes or reopens it.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { Ticket } from '../../../../contracts/index.ts';
import { useAuth } from '../../auth.tsx';
import { ErrorMessage, Loading } from '../../components/ErrorMessage.tsx';
import { Field } from '../../components/Field.tsx';
import { useApi } from '../../components/use-api.ts';
import { TicketTable } from '../portal/TicketsPage.tsx';

type Filter = 'open' | 'closed' | 'all';

export function TicketsSection() {
  const { t } = useTranslation('operator');
  const { actFor } = useAuth();
  const [filter, setFilter] = useState<Filter>('open');
  const tickets = useApi(
    (signal) => api.get<{ tickets: Ticket[] }>(filter === 'all' ? '/tickets' : `/tickets?status=${filter}`, { signal }),
    [filter],
  );
  const list = tickets.data?.tickets ?? [];

  return (
    <section aria-labelledby="operator-heading">
      <div className="section-head">
        <h1 id="operator-heading">{t('tickets.heading')}</h1>
        <button type="button" onClick={tickets.reload} disabled={tickets.loading}>
          {t('refresh')}
        </button>
      </div>
      <p className="muted">{t('tickets.intro')}</p>
      <div className="ticket-filter">
        <Field id="operator-ticket-filter" label={t('tickets.filter')}>
          <select value={filter} onChange={(event) => setFilter(event.target.value as Filter)}>
            <option value="open">{t('tickets.filterOpen')}</option>
            <option value="closed">{t('tickets.filterClosed')}</option>
            <option value="all">{t('tickets.filterAll')}</option>
          </select>
        </Field>
      </div>
      {tickets.loading && !tickets.data && <Loading />}
      <ErrorMessage error={tickets.error} onRetry={tickets.reload} />
      {tickets.data && list.length === 0 && <p>{t('tickets.empty')}</p>}
      {list.length > 0 && (
        <TicketTable tickets={list} viewerIsOperator caption={t('tickets.heading')} showPublisher onOpen={(ticket) => actFor(ticket.publisherId)} />
      )}
    </section>
  );
}
