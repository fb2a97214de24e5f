/**
 * Selling the live offer (src/lifecycle/ on the server): deprecate the offer or one plan from a
 * day on (naming the plan to take instead), undo that before the day, stop selling at once and
 * resume, and answer the marketplace's proposal to republish the previous version after a
 * revocation. Stop selling asks first. Every answer is the offer's new lifecycle document.
 */
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, offerPath } from '../../../api/client.ts';
import type { CatalogOffer, OfferLifecycle, Revocation, SellState } from '../../../../../contracts/index.ts';
import { ConfirmButton } from '../../../components/ConfirmButton.tsx';
import { ErrorMessage } from '../../../components/ErrorMessage.tsx';
import { Field } from '../../../components/Field.tsx';
import { useApi } from '../../../components/use-api.ts';

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function StateLine({ label, state }: { label: string; state: SellState }) {
  const { t } = useTranslation('publishing');
  const parts = [state.sold ? t('lifecycle.sold') : t('lifecycle.notSold')];
  if (state.deprecation) {
    parts.push(
      state.deprecation.alternativePlan
        ? t('lifecycle.deprecatedUse', { date: state.deprecation.on, plan: state.deprecation.alternativePlan })
        : t('lifecycle.deprecated', { date: state.deprecation.on }),
    );
  }
  return (
    <li>
      <strong>{label}</strong>: {parts.join(' · ')}
    </li>
  );
}

export function LifecycleSection({ publisherId, offerId, liveKey }: { publisherId: string; offerId: string; liveKey: string }) {
  const { t } = useTranslation('publishing');
  const base = offerPath(publisherId, offerId);
  const lifecycle = useApi((signal) => api.get<OfferLifecycle>(`${base}/lifecycle`, { signal }), [base, liveKey]);
  const listing = useApi(
    (signal) => api.get<CatalogOffer>(`/catalog/offers/${encodeURIComponent(publisherId)}.${encodeURIComponent(offerId)}`, { signal, auth: false }).catch(() => null),
    [publisherId, offerId, liveKey],
  );
  const [plan, setPlan] = useState('');
  const [date, setDate] = useState(today());
  const [alternative, setAlternative] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const act = async (verb: string, body: unknown) => {
    setError(undefined);
    setBusy(true);
    try {
      const answer = await api.post<OfferLifecycle | Revocation>(`${base}/${verb}`, body);
      if ('offer' in answer && 'plans' in answer) lifecycle.set(answer);
      else lifecycle.reload();
      listing.reload();
    } catch (cause) {
      setError(cause);
    } finally {
      setBusy(false);
    }
  };

  const doc = lifecycle.data;
  const plans = listing.data?.plans ?? [];
  const scope = plan ? { plan } : {};
  const own: SellState | undefined = doc ? (plan ? doc.plans[plan] : doc.offer) : undefined;
  const fieldErrors = (path: string) => (error instanceof ApiError ? error.details.filter((d) => d.path === path).map((d) => d.message) : []);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void act('deprecate', { date, ...scope, ...(alternative ? { alternativePlan: alternative } : {}), ...(reason.trim() ? { reason: reason.trim() } : {}) });
  };
  const pending = (doc?.revocations ?? []).filter((r) => r.republish?.status === 'pending');

  return (
    <section aria-labelledby="lifecycle-heading" className="lifecycle">
      <h2 id="lifecycle-heading">{t('lifecycle.heading')}</h2>
      {lifecycle.error ? <ErrorMessage error={lifecycle.error} onRetry={lifecycle.reload} /> : null}
      {doc && (
        <ul className="plain lifecycle-state">
          <StateLine label={t('lifecycle.wholeOffer')} state={doc.offer} />
          {Object.entries(doc.plans).map(([id, state]) => (
            <StateLine key={id} label={t('lifecycle.plan', { plan: id })} state={state} />
          ))}
        </ul>
      )}
      {pending.map((r) => (
        <div key={r.id} className="notice notice-warn" role="status">
          <p>{t('lifecycle.revoked', { version: r.version, reason: r.reason, previous: r.republish!.version })}</p>
          <div className="actions">
            <button type="button" className="primary" disabled={busy} onClick={() => void act(`revocations/${encodeURIComponent(r.id)}/republish`, { decision: 'accept' })}>
              {t('lifecycle.accept')}
            </button>
            <button type="button" disabled={busy} onClick={() => void act(`revocations/${encodeURIComponent(r.id)}/republish`, { decision: 'decline' })}>
              {t('lifecycle.decline')}
            </button>
          </div>
        </div>
      ))}
      {listing.data && (
        <form onSubmit={submit} className="lifecycle-form" noValidate>
          <Field id="lifecycle-plan" label={t('lifecycle.scope')} path="plan" error={fieldErrors('plan')}>
            <select value={plan} onChange={(event) => setPlan(event.target.value)}>
              <option value="">{t('lifecycle.wholeOffer')}</option>
              {plans.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.title || p.id}
                </option>
              ))}
            </select>
          </Field>
          <Field id="lifecycle-date" label={t('lifecycle.date')} path="date" error={fieldErrors('date')} required>
            <input type="date" value={date} min={today()} onChange={(event) => setDate(event.target.value)} />
          </Field>
          {plan && (
            <Field id="lifecycle-alternative" label={t('lifecycle.alternative')} path="alternativePlan" error={fieldErrors('alternativePlan')}>
              <select value={alternative} onChange={(event) => setAlternative(event.target.value)}>
                <option value="">{t('lifecycle.noAlternative')}</option>
                {plans
                  .filter((p) => p.id !== plan)
                  .map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.title || p.id}
                    </option>
                  ))}
              </select>
            </Field>
          )}
          <Field id="lifecycle-reason" label={t('lifecycle.reason')} path="reason">
            <input value={reason} maxLength={1000} onChange={(event) => setReason(event.target.value)} />
          </Field>
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              {t('lifecycle.deprecate')}
            </button>
            {own?.deprecation && own.deprecation.on > today() && (
              <button type="button" disabled={busy} onClick={() => void act('undeprecate', scope)}>
                {t('lifecycle.undeprecate')}
              </button>
            )}
            {own?.stoppedAt ? (
              <button type="button" disabled={busy} onClick={() => void act('resume-sell', scope)}>
                {t('lifecycle.resume')}
              </button>
            ) : (
              <ConfirmButton
                danger
                label={t('lifecycle.stop')}
                title={t('lifecycle.stopTitle')}
                question={t('lifecycle.stopQuestion')}
                confirmLabel={t('lifecycle.stopConfirm')}
                disabled={busy}
                onConfirm={() => act('stop-sell', scope)}
              />
            )}
          </div>
        </form>
      )}
      {error && !(error instanceof ApiError && error.details.length > 0) ? <ErrorMessage error={error} /> : null}
      {error instanceof ApiError && error.details.length > 0 ? <p className="notice notice-error" role="alert">{error.message}</p> : null}
    </section>
  );
}
