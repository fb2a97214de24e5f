/**
 * Revoking a version (operator; src/lifecycle/revoke.ts on the server): the offer, the version
 * (the operation id of its live slot or of a version that was live) and the security reason the
 * customers read. It asks first; the answer says how many customers were e-mailed and whether
 * the previous version was proposed to the publisher for republishing.
 */
import { type FormEvent, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, offerPath } from '../../api/client.ts';
import type { Revocation } from '../../../../contracts/index.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Field } from '../../components/Field.tsx';

export function RevokeSection() {
  const { t } = useTranslation('operator');
  const [offer, setOffer] = useState('');
  const [version, setVersion] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState<Revocation | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);

  const revoke = async () => {
    setError(undefined);
    setDone(undefined);
    setBusy(true);
    try {
      const [pub, id] = offer.trim().split('.');
      if (!pub || !id) throw new ApiError(400, 'BAD_REQUEST', t('revoke.badOffer'));
      setDone(await api.post<Revocation>(`${offerPath(pub, id)}/versions/${encodeURIComponent(version.trim())}/revoke`, { reason }));
    } catch (cause) {
      setError(cause);
    } finally {
      setBusy(false);
      dialog.current?.close();
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    dialog.current?.showModal();
  };

  return (
    <section aria-labelledby="revoke-heading">
      <h1 id="revoke-heading">{t('revoke.heading')}</h1>
      <p className="hint">{t('revoke.intro')}</p>
      <form onSubmit={submit}>
        <Field id="revoke-offer" label={t('revoke.offer')} hint={t('revoke.offerHint')} required>
          <input value={offer} onChange={(event) => setOffer(event.target.value)} />
        </Field>
        <Field id="revoke-version" label={t('revoke.version')} hint={t('revoke.versionHint')} required>
          <input value={version} onChange={(event) => setVersion(event.target.value)} />
        </Field>
        <Field id="revoke-reason" label={t('revoke.reason')} path="reason" required>
          <textarea value={reason} maxLength={2000} onChange={(event) => setReason(event.target.value)} />
        </Field>
        <div className="actions">
          <button type="submit" className="danger" disabled={busy || !offer || !version || !reason.trim()}>
            {t('revoke.submit')}
          </button>
        </div>
      </form>
      <dialog ref={dialog} aria-labelledby="revoke-confirm" className="confirm">
        <h2 id="revoke-confirm">{t('revoke.confirmTitle')}</h2>
        <p>{t('revoke.confirmQuestion', { version, offer })}</p>
        <div className="actions">
          <button type="button" onClick={() => dialog.current?.close()} disabled={busy}>
            {t('common:actions.cancel')}
          </button>
          <button type="button" className="danger" onClick={() => void revoke()} disabled={busy}>
            {t('revoke.submit')}
          </button>
        </div>
      </dialog>
      <ErrorMessage error={error} />
      {done && (
        <p className="notice notice-ok" role="status">
          {t('revoke.done', { version: done.version, count: done.customersNotified })}{' '}
          {done.republish ? t('revoke.proposed', { previous: done.republish.version }) : t('revoke.noProposal', { note: done.republishNote ?? '' })}
        </p>
      )}
    </section>
  );
}
