/**
 * The leads of every offer of the publisher acted for: who acquired what, and whether their
 * delivery to the offer's lead destination worked. "Download CSV" fetches the CSV with the bearer
 * token in the Authorization header (never in a URL) and saves it through a Blob URL.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, offerPath, publisherPath, request } from '../../api/client.ts';
import type { LeadView, OfferSummary } from '../../../../contracts/index.ts';
import { ErrorMessage, Loading } from '../../components/ErrorMessage.tsx';
import { Field } from '../../components/Field.tsx';
import { useApi } from '../../components/use-api.ts';
import { LoadMore } from '../../components/LoadMore.tsx';
import { usePagedApi } from '../../components/use-paged-api.ts';
import { useFormat } from '../../format.ts';
import './tickets-leads.css';

const DELIVERY_BADGE: Record<LeadView['deliveryStatus'], string> = {
  delivered: 'badge-ok',
  stored: 'badge-ok',
  pending: 'badge-running',
  failed: 'badge-err',
};

/** `leads-<pub>[-<offer>]-<yyyy-mm-dd>.csv` (the local date of the download). */
function csvFileName(publisherId: string, offerId: string): string {
  const now = new Date();
  const day = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
  return `leads-${publisherId}${offerId ? `-${offerId}` : ''}-${day}.csv`;
}

/** Hands text to the browser as a file download; the object URL is released right after. */
function saveFile(text: string, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // the click has handed the blob to the download; a later tick frees it
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function LeadsPage({ publisherId }: { publisherId: string }) {
  const { t } = useTranslation('leads');
  const format = useFormat();
  const leads = usePagedApi<'leads', LeadView>(`${publisherPath(publisherId)}/leads`, 'leads', [publisherId]);
  const offers = useApi((signal) => api.get<{ offers: OfferSummary[] }>(`${publisherPath(publisherId)}/offers`, { signal }), [publisherId]);
  const [offerFilter, setOfferFilter] = useState('');
  const [downloadError, setDownloadError] = useState<unknown>();
  const [downloading, setDownloading] = useState(false);
  const [announcement, setAnnouncement] = useState('');

  const all = leads.data?.leads ?? [];
  const shown = offerFilter ? all.filter((lead) => lead.offerId === offerFilter) : all;
  // the filter offers every offer of the publisher, and offers only known from their leads
  const titles = new Map((offers.data?.offers ?? []).map((o) => [o.id, o.title]));
  const offerIds = [...new Set([...titles.keys(), ...all.map((lead) => lead.offerId)])].sort();
  const offerLabel = (id: string) => (titles.get(id) ? `${titles.get(id)} (${id})` : id);

  const download = async () => {
    setDownloadError(undefined);
    setDownloading(true);
    try {
      const path = offerFilter ? `${offerPath(publisherId, offerFilter)}/leads?format=csv` : `${publisherPath(publisherId)}/leads?format=csv`;
      const answer = await request<string>('GET', path, { headers: { accept: 'text/csv' } });
      const fileName = csvFileName(publisherId, offerFilter);
      saveFile(answer.data, fileName, 'text/csv;charset=utf-8');
      setAnnouncement(t('downloaded', { file: fileName }));
    } catch (cause) {
      setDownloadError(cause);
    } finally {
      setDownloading(false);
    }
  };

  return (
    <section aria-labelledby="leads-heading">
      <h1 id="leads-heading">{t('heading')}</h1>
      <p className="muted">{t('intro')}</p>
      {leads.loading && !leads.data && <Loading />}
      <ErrorMessage error={leads.error} onRetry={leads.reload} />
      {leads.data && (
        <>
          <div className="leads-tools">
            <Field id="leads-offer" label={t('filter')}>
              <select value={offerFilter} onChange={(event) => setOfferFilter(event.target.value)}>
                <option value="">{t('allOffers')}</option>
                {offerIds.map((id) => (
                  <option key={id} value={id}>
                    {offerLabel(id)}
                  </option>
                ))}
              </select>
            </Field>
            <button type="button" className="primary" onClick={() => void download()} disabled={downloading || shown.length === 0}>
              {t('download')}
            </button>
          </div>
          <ErrorMessage error={downloadError} />
          <p className="muted" aria-live="polite">
            {t('count', { count: shown.length, n: format.number(shown.length) })}
          </p>
          {all.length === 0 && <p>{t('empty')}</p>}
          {shown.length > 0 && (
            <div className="table-wrap">
              <table className="leads-table stack-table">
                <caption className="visually-hidden">{t('caption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('columns.date')}</th>
                    <th scope="col">{t('columns.offer')}</th>
                    <th scope="col">{t('columns.plan')}</th>
                    <th scope="col">{t('columns.name')}</th>
                    <th scope="col">{t('columns.email')}</th>
                    <th scope="col">{t('columns.company')}</th>
                    <th scope="col">{t('columns.subscription')}</th>
                    <th scope="col">{t('columns.delivery')}</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((lead) => (
                    <tr key={lead.id}>
                      <td data-label={t('columns.date')}>
                        <time dateTime={lead.createdAt}>{format.dateTime(lead.createdAt)}</time>
                      </td>
                      <td data-label={t('columns.offer')} className="mono">{lead.offerId}</td>
                      <td data-label={t('columns.plan')} className="mono">{lead.planId}</td>
                      <td data-label={t('columns.name')}>
                        {lead.contact.name}
                        {/* the package step's check that the destination takes leads: no customer */}
                        {lead.kind === 'registration-test' && <span className="badge badge-muted lead-kind">{t('registrationTest')}</span>}
                        {lead.kind === 'test-drive' && <span className="badge badge-muted lead-kind">{t('testDrive')}</span>}
                      </td>
                      <td data-label={t('columns.email')}>
                        <a href={`mailto:${lead.contact.email}`}>{lead.contact.email}</a>
                      </td>
                      <td data-label={t('columns.company')}>{lead.contact.company || '—'}</td>
                      <td data-label={t('columns.subscription')} className="mono subscription">{lead.subscriptionId}</td>
                      <td data-label={t('columns.delivery')}>
                        <span className={`badge ${DELIVERY_BADGE[lead.deliveryStatus] ?? 'badge-muted'}`}>
                          {t(`delivery.${lead.deliveryStatus}`, { defaultValue: lead.deliveryStatus })}
                        </span>
                        {lead.deliveredAt && (
                          <span className="lead-note">
                            <time dateTime={lead.deliveredAt}>{format.dateTime(lead.deliveredAt)}</time>
                          </span>
                        )}
                        {lead.deliveryAttempts > 1 && <span className="lead-note">{t('attempts', { count: lead.deliveryAttempts, n: format.number(lead.deliveryAttempts) })}</span>}
                        {lead.lastError && <span className="lead-note lead-error">{t('lastError', { error: lead.lastError })}</span>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <LoadMore list={leads} />
            </div>
          )}
        </>
      )}
      <p className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </p>
    </section>
  );
}
