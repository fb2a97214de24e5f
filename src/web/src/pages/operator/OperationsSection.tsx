/**
 * Every publication under way, of every publisher, with the step it is at; a stuck step (past
 * its expected maximum) is marked. The list refreshes itself while the page is visible.
 */
import { useTranslation } from 'react-i18next';
import type { OperationSummary } from '../../../../contracts/index.ts';
import { ErrorMessage, Loading } from '../../components/ErrorMessage.tsx';
import { LoadMore } from '../../components/LoadMore.tsx';
import { usePagedApi } from '../../components/use-paged-api.ts';
import { LIST_REFRESH_MS, useRefreshWhileVisible } from '../../components/use-refresh.ts';
import { useFormat } from '../../format.ts';
import { useStepNames } from '../../step-names.ts';
import { ActForLink } from './ActForLink.tsx';

const STEP_BADGE: Record<string, string> = {
  inProgress: 'badge-running',
  waitingForPublisherReview: 'badge-warn',
  waitingForApproval: 'badge-warn',
  blocked: 'badge-err',
  complete: 'badge-ok',
};

export function OperationsSection() {
  const { t } = useTranslation('operator');
  const format = useFormat();
  const stepNames = useStepNames();
  const operations = usePagedApi<'operations', OperationSummary>('/operations', 'operations', []);
  const { reload } = operations;

  useRefreshWhileVisible(reload, LIST_REFRESH_MS);

  const list = operations.data?.operations ?? [];
  return (
    <section aria-labelledby="operator-heading">
      <div className="section-head">
        <h1 id="operator-heading">{t('operations.heading')}</h1>
        {/* never disabled: it would drop the keyboard focus at every background refresh */}
        <button type="button" onClick={reload}>
          {t('refresh')}
        </button>
      </div>
      <p className="muted">{t('operations.intro')}</p>
      {operations.loading && !operations.data && <Loading />}
      <ErrorMessage error={operations.error} onRetry={reload} />
      {operations.data && list.length === 0 && <p>{t('operations.empty')}</p>}
      {list.length > 0 && (
        <div className="table-wrap">
          <table className="operations-table stack-table">
            <caption className="visually-hidden">{t('operations.heading')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('columns.publisher')}</th>
                <th scope="col">{t('columns.offer')}</th>
                <th scope="col">{t('operations.step')}</th>
                <th scope="col">{t('operations.stepStatus')}</th>
                <th scope="col">{t('operations.started')}</th>
                <th scope="col">{t('operations.status')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((op) => {
                const step = op.currentStep;
                return (
                  <tr key={op.id} className={step?.stuck ? 'row-stuck' : undefined}>
                    <td data-label={t('columns.publisher')} className="mono">{op.publisherId}</td>
                    <td data-label={t('columns.offer')}>
                      <ActForLink
                        publisherId={op.publisherId}
                        to={`/portal/offers/${encodeURIComponent(op.offerId)}`}
                        label={t('operations.openOffer', { offer: op.offerId, publisher: op.publisherId })}
                      >
                        {op.offerId}
                      </ActForLink>
                    </td>
                    <td data-label={t('operations.step')}>
                      <span>{step ? stepNames(step.id, step.name) : '—'}</span>
                      {step?.stuck && (
                        <span className="badge badge-err stuck-badge" title={step.expectedMaxSeconds ? t('operations.stuckTitle', { max: format.duration(step.expectedMaxSeconds) }) : undefined}>
                          {t('operations.stuck')}
                        </span>
                      )}
                    </td>
                    <td data-label={t('operations.stepStatus')}>{step ? <span className={`badge ${STEP_BADGE[step.status] ?? 'badge-muted'}`}>{t(`stepStatus.${step.status}`, { defaultValue: t(`common:stepStatus.${step.status}`) })}</span> : '—'}</td>
                    <td data-label={t('operations.started')}>
                      {step?.startedAt ? <time dateTime={step.startedAt}>{format.dateTime(step.startedAt)}</time> : <time dateTime={op.createdAt}>{format.dateTime(op.createdAt)}</time>}
                      {step?.startedAt && step.expectedMaxSeconds !== null && (
                        <span className="cell-note">{t('operations.expectedMax', { max: format.duration(step.expectedMaxSeconds) })}</span>
                      )}
                    </td>
                    <td data-label={t('operations.status')}>{t(`common:offerStatus.${op.status}`)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <LoadMore list={operations} />
        </div>
      )}
    </section>
  );
}
