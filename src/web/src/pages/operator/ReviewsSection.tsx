/**
 * The manual certification review queue: each certification waiting for the operator, its report
 * summary on demand, Approve (confirmed in a dialog) and Reject (with feedback the publisher
 * reads, required). A decided review leaves the queue.
 */
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, offerPath } from '../../api/client.ts';
import type { CheckResult, CertificationReport, PendingReview } from '../../../../contracts/index.ts';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { ErrorMessage, Loading } from '../../components/ErrorMessage.tsx';
import { Field } from '../../components/Field.tsx';
import { useApi } from '../../components/use-api.ts';
import { LIST_REFRESH_MS, useRefreshWhileVisible } from '../../components/use-refresh.ts';
import { useFormat } from '../../format.ts';
import { ActForLink } from './ActForLink.tsx';

type Decision = 'approve' | 'reject';

/** A DOM id fragment for one review (publisher and offer ids are a-z0-9-). */
function reviewKey(review: PendingReview): string {
  return `${review.publisherId}--${review.offerId}`.replace(/[^a-zA-Z0-9-]/g, '_');
}

function CheckItem({ check }: { check: CheckResult }) {
  const { t } = useTranslation('operator');
  return (
    <li className={`review-check review-check-${check.status}`}>
      <p className="review-check-title">
        <span className={`badge ${check.status === 'failed' ? 'badge-err' : 'badge-warn'}`}>{t(`reviews.checkStatus.${check.status}`)}</span>{' '}
        <strong>{check.title}</strong> <code>{check.id}</code>
      </p>
      <p>{check.message}</p>
      {check.evidence && check.evidence.length > 0 && (
        <ul className="review-evidence">
          {check.evidence.map((e, i) => (
            <li key={i}>
              {e.path && <code>{e.line ? `${e.path}:${e.line}` : e.path}</code>} {e.detail}
            </li>
          ))}
        </ul>
      )}
      {check.remediation && (
        <p className="muted">
          {t('reviews.remediation')} {check.remediation}
        </p>
      )}
    </li>
  );
}

function ReportSummary({ review }: { review: PendingReview }) {
  const { t } = useTranslation('operator');
  const format = useFormat();
  const report = useApi(
    (signal) => api.get<CertificationReport>(`${offerPath(review.publisherId, review.offerId)}/certification`, { signal }),
    [review.publisherId, review.offerId],
  );
  if (report.loading && !report.data) return <Loading />;
  if (!report.data) return <ErrorMessage error={report.error} onRetry={report.reload} />;
  const checks = report.data.checks;
  const failed = checks.filter((c) => c.status === 'failed');
  const warnings = checks.filter((c) => c.status === 'warning');
  const passed = checks.filter((c) => c.status === 'passed').length;
  const skipped = checks.filter((c) => c.status === 'skipped').length;
  return (
    <div className="report-summary">
      <p>
        {t('reviews.reportCounts', {
          passed: format.number(passed),
          failed: format.number(failed.length),
          warnings: format.number(warnings.length),
          skipped: format.number(skipped),
        })}
      </p>
      {failed.length + warnings.length === 0 ? (
        <p className="muted">{t('reviews.allPassed')}</p>
      ) : (
        <ul className="review-checks">
          {[...failed, ...warnings].map((check) => (
            <CheckItem key={check.id} check={check} />
          ))}
        </ul>
      )}
      {report.data.images.length > 0 && (
        <p className="muted">
          {report.data.images.map((image) => `${image.role}${image.lun !== null ? ` ${image.lun}` : ''}: ${image.format}, ${format.bytes(image.virtualSize)}`).join(' · ')}
        </p>
      )}
    </div>
  );
}

function ReviewItem({ review, onDecided }: { review: PendingReview; onDecided(decision: Decision): void }) {
  const { t } = useTranslation('operator');
  const format = useFormat();
  const key = reviewKey(review);
  const [showReport, setShowReport] = useState(false);
  const [feedback, setFeedback] = useState('');
  const [feedbackError, setFeedbackError] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const decide = async (decision: Decision) => {
    setError(undefined);
    setBusy(true);
    try {
      await api.post(`${offerPath(review.publisherId, review.offerId)}/certification/review`, decision === 'reject' ? { decision, feedback: feedback.trim() } : { decision });
      onDecided(decision);
    } catch (cause) {
      if (cause instanceof ApiError && cause.details.some((d) => d.path === 'feedback')) setFeedbackError(t('reviews.feedbackRequired'));
      else setError(cause);
      setBusy(false);
    }
  };

  const reject = async (event: FormEvent) => {
    event.preventDefault();
    if (!feedback.trim()) {
      setFeedbackError(t('reviews.feedbackRequired'));
      document.getElementById(`feedback-${key}`)?.focus();
      return;
    }
    await decide('reject');
  };

  return (
    <article className="review card" aria-labelledby={`review-${key}`}>
      <h2 id={`review-${key}`}>
        {review.publisherId} / {review.offerId}
      </h2>
      <dl className="review-facts">
        <div>
          <dt>{t('reviews.since')}</dt>
          <dd>{review.waitingSince ? <time dateTime={review.waitingSince}>{format.dateTime(review.waitingSince)}</time> : '—'}</dd>
        </div>
        <div>
          <dt>{t('reviews.result')}</dt>
          <dd>
            <span className={`badge ${review.result === 'passed' ? 'badge-ok' : 'badge-err'}`}>{t(`reviews.resultValue.${review.result}`)}</span>
          </dd>
        </div>
        <div>
          <dt>{t('reviews.failed')}</dt>
          <dd>{format.number(review.failed)}</dd>
        </div>
        <div>
          <dt>{t('reviews.warnings')}</dt>
          <dd>{format.number(review.warnings)}</dd>
        </div>
      </dl>
      <p className="review-links">
        <button type="button" className="link-button" aria-expanded={showReport} aria-controls={`report-${key}`} onClick={() => setShowReport((v) => !v)}>
          {showReport ? t('reviews.hideReport') : t('reviews.showReport')}
        </button>
        <ActForLink publisherId={review.publisherId} to={`/portal/offers/${encodeURIComponent(review.offerId)}`}>
          {t('reviews.openOffer')}
        </ActForLink>
      </p>
      <div id={`report-${key}`} hidden={!showReport}>
        {showReport && <ReportSummary review={review} />}
      </div>
      <ErrorMessage error={error} />
      <div className="review-decisions">
        <div className="actions">
          <ConfirmButton
            label={t('reviews.approve')}
            title={t('reviews.approveTitle', { offer: `${review.publisherId}/${review.offerId}` })}
            question={t('reviews.approveQuestion')}
            confirmLabel={t('reviews.approveConfirm')}
            onConfirm={() => decide('approve')}
            disabled={busy}
          />
        </div>
        <form onSubmit={(event) => void reject(event)} noValidate className="reject-form">
          <Field id={`feedback-${key}`} label={t('reviews.feedback')} hint={t('reviews.feedbackHint')} error={feedbackError} required>
            <textarea
              rows={3}
              maxLength={5000}
              value={feedback}
              onChange={(event) => {
                setFeedback(event.target.value);
                setFeedbackError(undefined);
              }}
            />
          </Field>
          <button type="submit" className="danger" disabled={busy}>
            {t('reviews.reject')}
          </button>
        </form>
      </div>
    </article>
  );
}

export function ReviewsSection() {
  const { t } = useTranslation('operator');
  const reviews = useApi((signal) => api.get<{ reviews: PendingReview[] }>('/reviews', { signal }), []);
  useRefreshWhileVisible(reviews.reload, LIST_REFRESH_MS);
  const [announcement, setAnnouncement] = useState('');
  const list = reviews.data?.reviews ?? [];

  const decided = (review: PendingReview, decision: Decision) => {
    reviews.set({ reviews: list.filter((r) => r.operationId !== review.operationId) });
    // and ask again, which also drops an answer asked for before the decision
    reviews.reload();
    setAnnouncement(t(decision === 'approve' ? 'reviews.approved' : 'reviews.rejected', { offer: `${review.publisherId}/${review.offerId}` }));
    document.getElementById('operator-heading')?.focus();
  };

  return (
    <section aria-labelledby="operator-heading">
      <div className="section-head">
        <h1 id="operator-heading" tabIndex={-1}>
          {t('reviews.heading')}
        </h1>
        <button type="button" onClick={reviews.reload}>
          {t('refresh')}
        </button>
      </div>
      <p className="muted">{t('reviews.intro')}</p>
      <div role="status" aria-live="polite">
        {announcement && <p className="notice notice-ok">{announcement}</p>}
      </div>
      {reviews.loading && !reviews.data && <Loading />}
      <ErrorMessage error={reviews.error} onRetry={reviews.reload} />
      {reviews.data && list.length === 0 && <p>{t('reviews.empty')}</p>}
      {list.length > 0 && (
        <div className="reviews">
          {list.map((review) => (
            <ReviewItem key={review.operationId} review={review} onDecided={(decision) => decided(review, decision)} />
          ))}
        </div>
      )}
    </section>
  );
}
