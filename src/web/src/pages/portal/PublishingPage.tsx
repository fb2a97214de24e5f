/**
 * The publishing page of one offer (`/portal/offers/:offer`): the operation's overall status,
 * its eight steps updating live, preview and live links, the actions, and the last
 * certification report; for a live offer, selling it (deprecate, stop selling, republish after a
 * revocation).
 */
import { useTranslation } from 'react-i18next';
import type { OfferStatus } from '../../../../contracts/index.ts';
import type { StatusConnection } from '../../api/status-stream.ts';
import { ErrorMessage, Loading } from '../../components/ErrorMessage.tsx';
import { Link } from '../../router.tsx';
import { CertificationReport } from './publishing/CertificationReport.tsx';
import { LifecycleSection } from './publishing/LifecycleSection.tsx';
import { DownloadCounts } from './publishing/DownloadCounts.tsx';
import { PublishingActions } from './publishing/PublishingActions.tsx';
import { Timeline } from './publishing/Timeline.tsx';
import { useLiveStatus } from './publishing/use-status.ts';
import './publishing/publishing.css';

const OFFER_TONE: Record<OfferStatus, string> = {
  neverPublished: 'muted',
  notStarted: 'muted',
  running: 'running',
  waitingForPublisherReview: 'warn',
  succeeded: 'ok',
  failed: 'err',
  canceled: 'muted',
};

function ConnectionIndicator({ connection }: { connection: StatusConnection }) {
  const { t } = useTranslation('publishing');
  return (
    <p className={`connection connection-${connection.mode}`}>
      <span className="connection-dot" aria-hidden="true" />
      {t(`connection.${connection.mode}`)}
      {connection.mode === 'polling' && connection.error && <span className="connection-error"> · {t('connection.failed')}</span>}
    </p>
  );
}

function LinkList({ title, hint, links }: { title: string; hint: string; links: string[] }) {
  if (links.length === 0) return null;
  return (
    <div className="offer-links">
      <h3>{title}</h3>
      <p className="hint">{hint}</p>
      <ul>
        {links.map((link) => (
          <li key={link}>
            <a href={link}>{link}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function PublishingPage({ publisherId, offerId }: { publisherId: string; offerId: string }) {
  const { t } = useTranslation('publishing');
  const { status, connection, refresh } = useLiveStatus(publisherId, offerId);
  const certify = status?.steps.find((s) => s.id === 'certify');

  return (
    <section className="publishing">
      <p className="back-link">
        <Link to="/portal">{t('back')}</Link>
      </p>
      <div className="publishing-header">
        <h1>{t('title', { offer: offerId })}</h1>
        <ConnectionIndicator connection={connection} />
      </div>

      {connection.mode === 'stopped' ? (
        <ErrorMessage error={connection.error} />
      ) : !status ? (
        <Loading />
      ) : (
        <>
          <div className="overall" aria-live="polite">
            <p>
              <span className="overall-label">{t('overall')}</span>{' '}
              <span className={`badge badge-${OFFER_TONE[status.status]} overall-badge`}>{t(`common:offerStatus.${status.status}`)}</span>
            </p>
            {status.operationId && <p className="hint">{t('operation', { id: status.operationId })}</p>}
            {status.status === 'waitingForPublisherReview' && <p className="notice notice-warn">{t('signoffNotice')}</p>}
            {status.status === 'failed' && (
              <p className="notice notice-error">
                {t('failedNotice')}
                {certify?.status === 'blocked' && (
                  <>
                    {' '}
                    <a href="#certification-heading">{t('reportLink')}</a>
                  </>
                )}
              </p>
            )}
          </div>

          <PublishingActions publisherId={publisherId} offerId={offerId} status={status} onChanged={refresh} />

          {(status.previewLinks.length > 0 || status.liveLinks.length > 0) && (
            <section aria-labelledby="links-heading" className="links">
              <h2 id="links-heading">{t('links.heading')}</h2>
              <div className="links-grid">
                <LinkList title={t('links.live')} hint={t('links.liveHint')} links={status.liveLinks} />
                <LinkList title={t('links.preview')} hint={t('links.previewHint')} links={status.previewLinks} />
              </div>
            </section>
          )}

          {(status.liveLinks.length > 0 || status.status === 'succeeded') && (
            <LifecycleSection publisherId={publisherId} offerId={offerId} liveKey={`${status.operationId ?? ''}:${status.status}`} />
          )}

          <Timeline status={status} />

          <DownloadCounts publisherId={publisherId} offerId={offerId} reloadKey={status.operationId ?? ''} />

          <CertificationReport
            publisherId={publisherId}
            offerId={offerId}
            reloadKey={`${status.operationId ?? ''}:${certify?.status ?? ''}`}
            certifyStatus={certify?.status}
          />
        </>
      )}
    </section>
  );
}
