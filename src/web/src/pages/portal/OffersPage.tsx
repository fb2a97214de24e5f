/** The publisher's offers: title, id, publishing status, live since, and where to edit or publish each. */
import { useTranslation } from 'react-i18next';
import { publisherPath } from '../../api/client.ts';
import type { OfferSummary } from '../../../../contracts/index.ts';
import { ErrorMessage, Loading } from '../../components/ErrorMessage.tsx';
import { LoadMore } from '../../components/LoadMore.tsx';
import { usePagedApi } from '../../components/use-paged-api.ts';
import { useFormat } from '../../format.ts';
import { Link } from '../../router.tsx';
import { StatusBadge } from './editor/StatusBadge.tsx';
import './editor/editor.css';

export function OffersPage({ publisherId }: { publisherId: string }) {
  const { t } = useTranslation('offers');
  const format = useFormat();
  const offers = usePagedApi<'offers', OfferSummary>(`${publisherPath(publisherId)}/offers`, 'offers', [publisherId]);
  const list = offers.data?.offers ?? [];

  return (
    <section className="offers-page">
      <div className="offers-head">
        <h1>{t('title')}</h1>
        <Link to="/portal/offers/new" className="button primary">
          {t('new')}
        </Link>
      </div>
      {offers.error ? <ErrorMessage error={offers.error} onRetry={offers.reload} /> : null}
      {offers.loading && !offers.data ? (
        <Loading />
      ) : offers.data && list.length === 0 ? (
        <div className="notice offers-empty">
          <p>
            <strong>{t('empty.title')}</strong>
          </p>
          <p>{t('empty.text')}</p>
        </div>
      ) : list.length > 0 ? (
        <table className="offers-table">
          <caption className="visually-hidden">{t('caption', { count: list.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('columns.title')}</th>
              <th scope="col">{t('columns.id')}</th>
              <th scope="col">{t('columns.status')}</th>
              <th scope="col">{t('columns.liveSince')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('columns.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((offer) => {
              const name = offer.title ?? offer.id;
              return (
                <tr key={offer.id}>
                  <th scope="row" data-label={t('columns.title')}>
                    {offer.title ?? <span className="muted">{t('untitled')}</span>}
                    {offer.hasPreview && !offer.live && (
                      <>
                        {' '}
                        <span className="badge badge-preview">{t('preview')}</span>
                      </>
                    )}
                  </th>
                  <td data-label={t('columns.id')}>
                    <code>{offer.id}</code>
                  </td>
                  <td data-label={t('columns.status')}>
                    <StatusBadge status={offer.status} />
                  </td>
                  <td data-label={t('columns.liveSince')}>{offer.live && offer.liveAt ? <time dateTime={offer.liveAt}>{format.date(offer.liveAt)}</time> : <span className="muted">{t('notLive')}</span>}</td>
                  <td className="offers-links">
                    <Link to={`/portal/offers/${encodeURIComponent(offer.id)}/edit`}>
                      {t('edit')}
                      <span className="visually-hidden"> {name}</span>
                    </Link>
                    <Link to={`/portal/offers/${encodeURIComponent(offer.id)}`}>
                      {t('publishing')}
                      <span className="visually-hidden"> {name}</span>
                    </Link>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      <LoadMore list={offers} />
    </section>
  );
}
