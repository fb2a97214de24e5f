/**
 * What the publisher can do with the operation: go live (only while it waits for their
 * sign-off), cancel (while it runs or waits, before it is live), publish again once it ended,
 * and edit the offer. Go live and cancel ask first.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, offerPath } from '../../../api/client.ts';
import type { OfferStatusDocument } from '../../../../../contracts/index.ts';
import { ConfirmButton } from '../../../components/ConfirmButton.tsx';
import { ErrorMessage } from '../../../components/ErrorMessage.tsx';
import { Link } from '../../../router.tsx';

export interface ActionRules {
  canGoLive: boolean;
  canCancel: boolean;
  canPublish: boolean;
}

/** Which actions the status allows (the server answers 409 to the others anyway). */
export function actionRules(status: OfferStatusDocument): ActionRules {
  const liveDone = status.steps.some((s) => s.id === 'live' && s.status === 'complete');
  return {
    canGoLive: status.status === 'waitingForPublisherReview',
    canCancel: (status.status === 'running' || status.status === 'waitingForPublisherReview') && !liveDone,
    canPublish: ['neverPublished', 'notStarted', 'succeeded', 'failed', 'canceled'].includes(status.status),
  };
}

export function PublishingActions({
  publisherId,
  offerId,
  status,
  onChanged,
}: {
  publisherId: string;
  offerId: string;
  status: OfferStatusDocument;
  onChanged(): Promise<void>;
}) {
  const { t } = useTranslation('publishing');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const rules = actionRules(status);
  const base = offerPath(publisherId, offerId);

  const act = async (verb: 'golive' | 'cancel' | 'publish') => {
    setError(undefined);
    setBusy(true);
    try {
      await api.post(`${base}/${verb}`);
      await onChanged();
    } catch (cause) {
      setError(cause);
    } finally {
      setBusy(false);
    }
  };

  const details = error instanceof ApiError ? error.details : [];
  return (
    <section aria-labelledby="actions-heading" className="publishing-actions">
      <h2 id="actions-heading" className="visually-hidden">
        {t('actions.heading')}
      </h2>
      <div className="actions">
        <ConfirmButton
          label={t('actions.goLive')}
          title={t('actions.goLiveTitle')}
          question={t('actions.goLiveQuestion')}
          confirmLabel={t('actions.goLiveConfirm')}
          disabled={!rules.canGoLive || busy}
          onConfirm={() => act('golive')}
        />
        <ConfirmButton
          danger
          label={t('actions.cancel')}
          title={t('actions.cancelTitle')}
          question={t('actions.cancelQuestion')}
          confirmLabel={t('actions.cancelConfirm')}
          dismissLabel={t('actions.keepPublishing')}
          disabled={!rules.canCancel || busy}
          onConfirm={() => act('cancel')}
        />
        {rules.canPublish && (
          <button type="button" disabled={busy} onClick={() => void act('publish')}>
            {status.status === 'neverPublished' ? t('actions.publish') : t('actions.publishAgain')}
          </button>
        )}
        <Link className="button" to={`/portal/offers/${encodeURIComponent(offerId)}/edit`}>
          {t('actions.edit')}
        </Link>
      </div>
      {status.status === 'running' && <p className="hint">{t('actions.goLiveHint')}</p>}
      <ErrorMessage error={error} />
      {details.length > 0 && (
        <ul className="field-error">
          {details.map((detail, index) => (
            <li key={index}>
              <code>{detail.path}</code>: {detail.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
