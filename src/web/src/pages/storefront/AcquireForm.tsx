/**
 * "Get it now": the customer names a plan, their subscription and how to reach them; the API
 * records the lead and answers the plan's signed package, shown below the form. The server
 * validates (one 422 with every problem); each problem is shown at its field in the interface
 * language, matched by the detail's path (`subscriptionId`, `contact.email`, …).
 */
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api/client.ts';
import type { AcquiredPackage, CatalogOffer } from '../../../../contracts/index.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Field } from '../../components/Field.tsx';
import { catalogOfferPath } from './catalog.ts';
import { PackageResult } from './PackageResult.tsx';

/** The fields of the form, by the API path of their value. */
const FIELD_PATHS = ['plan', 'subscriptionId', 'contact.name', 'contact.email', 'contact.company'] as const;
type FieldPath = (typeof FIELD_PATHS)[number];

function isFieldPath(path: string): path is FieldPath {
  return (FIELD_PATHS as readonly string[]).includes(path);
}

export function AcquireForm({ offer, subscription }: { offer: CatalogOffer; subscription: string | null }) {
  const { t } = useTranslation('storefront');
  const [plan, setPlan] = useState(offer.plans[0]?.id ?? '');
  const [subscriptionId, setSubscriptionId] = useState(subscription ?? '');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [company, setCompany] = useState('');
  const [busy, setBusy] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<FieldPath, string>>>({});
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<AcquiredPackage | null>(null);
  const resultHeading = useRef<HTMLHeadingElement>(null);
  const form = useRef<HTMLFormElement>(null);

  // the answer appears below the form: take focus there so it is read and seen
  useEffect(() => {
    if (result) resultHeading.current?.focus();
  }, [result]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setFieldErrors({});
    setResult(null);
    try {
      const contact = { name, email: email.trim(), ...(company.trim() ? { company } : {}) };
      const answer = await api.post<AcquiredPackage>(`${catalogOfferPath(offer.id)}/acquire`, { subscriptionId: subscriptionId.trim(), plan, contact }, { auth: false });
      setResult(answer);
    } catch (cause) {
      if (cause instanceof ApiError && (cause.status === 400 || cause.status === 422) && cause.details.length > 0) {
        const errors: Partial<Record<FieldPath, string>> = {};
        const elsewhere: string[] = [];
        for (const detail of cause.details) {
          if (isFieldPath(detail.path)) errors[detail.path] ??= t(`acquire.errors.${detail.path}`, { defaultValue: detail.message });
          else elsewhere.push(`${detail.path}: ${detail.message}`);
        }
        setFieldErrors(errors);
        if (elsewhere.length > 0) setError(new ApiError(cause.status, cause.code, elsewhere.join('; ')));
        // move to the first field that needs attention
        const first = FIELD_PATHS.find((p) => errors[p]);
        if (first) form.current?.querySelector<HTMLElement>(`[data-field="${first}"] input, [data-field="${first}"] select`)?.focus();
      } else {
        setError(cause);
      }
    } finally {
      setBusy(false);
    }
  };

  const hasErrors = Object.keys(fieldErrors).length > 0;
  return (
    <section className="acquire" aria-labelledby="get-it-now">
      <h2 id="get-it-now" tabIndex={-1}>
        {t('acquire.title')}
      </h2>
      <p className="muted">{t('acquire.intro')}</p>
      <form ref={form} onSubmit={(event) => void submit(event)} noValidate className="acquire-form">
        {hasErrors && (
          <p className="notice notice-error" role="alert">
            {t('acquire.fixFields')}
          </p>
        )}
        <div className="grid-2">
          <Field id="acquire-plan" label={t('acquire.plan')} path="plan" error={fieldErrors.plan} required>
            <select value={plan} onChange={(event) => setPlan(event.target.value)}>
              {offer.plans.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.sold ? p.title : t('lifecycle.notSoldOption', { title: p.title })}
                </option>
              ))}
            </select>
          </Field>
          <Field id="acquire-subscription" label={t('acquire.subscription')} hint={t('acquire.subscriptionHint')} path="subscriptionId" error={fieldErrors.subscriptionId} required>
            <input type="text" value={subscriptionId} onChange={(event) => setSubscriptionId(event.target.value)} autoComplete="off" spellCheck={false} />
          </Field>
          <Field id="acquire-name" label={t('acquire.name')} path="contact.name" error={fieldErrors['contact.name']} required>
            <input type="text" value={name} onChange={(event) => setName(event.target.value)} autoComplete="name" />
          </Field>
          <Field id="acquire-email" label={t('acquire.email')} path="contact.email" error={fieldErrors['contact.email']} required>
            <input type="email" value={email} onChange={(event) => setEmail(event.target.value)} autoComplete="email" />
          </Field>
          <Field id="acquire-company" label={t('acquire.company')} hint={t('acquire.optional')} path="contact.company" error={fieldErrors['contact.company']}>
            <input type="text" value={company} onChange={(event) => setCompany(event.target.value)} autoComplete="organization" />
          </Field>
        </div>
        <p className="hint">{t('acquire.consent', { publisher: offer.publisher })}</p>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t('acquire.busy') : t('acquire.submit')}
          </button>
        </div>
        <ErrorMessage error={error} />
      </form>
      {result && <PackageResult result={result} headingRef={resultHeading} />}
    </section>
  );
}
