/**
 * The offer's lead signing secret in the Leads section (https destination): whether one is set,
 * its fingerprint and creation time, and Rotate (confirmed in a dialog). The marketplace
 * generates the secret and answers it once — at the first save with an https destination or on
 * a rotation — so it is shown once here, held in this component's state only (never stored in
 * the browser), and gone when the box is dismissed or the page left.
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, offerPath } from '../../../api/client.ts';
import type { LeadSecretInfo, LeadSecretShown } from '../../../../../contracts/index.ts';
import { ConfirmButton } from '../../../components/ConfirmButton.tsx';
import { ErrorMessage } from '../../../components/ErrorMessage.tsx';
import { useApi } from '../../../components/use-api.ts';
import { useFormat } from '../../../format.ts';

interface Props {
  publisherId: string;
  offerId: string;
  /** A secret the last save generated (shown once), or null. */
  generated: LeadSecretShown | null;
}

function SecretShownOnce({ shown, onDone }: { shown: LeadSecretShown; onDone(): void }) {
  const { t } = useTranslation('editor');
  const field = useRef<HTMLInputElement>(null);
  const [copy, setCopy] = useState<'copied' | 'failed' | null>(null);

  useEffect(() => field.current?.focus(), [shown]);

  const toClipboard = async () => {
    try {
      await navigator.clipboard.writeText(shown.secret);
      setCopy('copied');
    } catch {
      // no clipboard permission: the value is selected for Ctrl+C
      setCopy('failed');
      field.current?.select();
    }
  };

  return (
    <div className="notice notice-warn lead-secret-once" role="region" aria-label={t('leads.secret.onceLabel')}>
      <p>
        <strong>{t('leads.secret.once')}</strong> {t('leads.secret.onceWarning')}
      </p>
      <label htmlFor="lead-secret-value">{t('leads.secret.value')}</label>
      <input
        id="lead-secret-value"
        ref={field}
        type="text"
        readOnly
        className="mono"
        value={shown.secret}
        spellCheck={false}
        autoComplete="off"
        onFocus={(event) => event.target.select()}
      />
      <div className="actions">
        <button type="button" className="primary" onClick={() => void toClipboard()}>
          {t('leads.secret.copy')}
        </button>
        <button type="button" onClick={onDone}>
          {t('leads.secret.done')}
        </button>
      </div>
      <p role="status" aria-live="polite" className={copy === 'failed' ? 'field-error-text' : 'muted'}>
        {copy === 'copied' ? t('leads.secret.copied') : copy === 'failed' ? t('leads.secret.copyFailed') : ''}
      </p>
    </div>
  );
}

export function LeadSecretPanel({ publisherId, offerId, generated }: Props) {
  const { t } = useTranslation('editor');
  const format = useFormat();
  const path = `${offerPath(publisherId, offerId)}/lead-secret`;
  const info = useApi((signal) => api.get<LeadSecretInfo>(path, { signal }), [path, generated]);
  const [shown, setShown] = useState<LeadSecretShown | null>(generated);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => setShown(generated), [generated]);

  const rotate = async () => {
    setError(null);
    try {
      const fresh = await api.post<LeadSecretShown>(path);
      setShown(fresh);
      info.set({ set: true, fingerprint: fresh.fingerprint, createdAt: fresh.createdAt });
    } catch (cause) {
      setError(cause);
    }
  };

  const current = info.data;
  return (
    <div className="lead-secret" role="group" aria-label={t('leads.secret.legend')}>
      <p className="field-label">{t('leads.secret.legend')}</p>
      {info.error ? <ErrorMessage error={info.error} /> : null}
      {current && (
        <p className="muted" role="status">
          {current.set
            ? t('leads.secret.set', { fingerprint: current.fingerprint, createdAt: format.dateTime(current.createdAt) })
            : t('leads.secret.unset')}
        </p>
      )}
      {shown && <SecretShownOnce shown={shown} onDone={() => setShown(null)} />}
      {error ? <ErrorMessage error={error} /> : null}
      <div className="actions">
        <ConfirmButton
          label={current?.set ? t('leads.secret.rotate') : t('leads.secret.create')}
          title={t('leads.secret.confirmTitle')}
          question={current?.set ? t('leads.secret.confirmRotate') : t('leads.secret.confirmCreate')}
          confirmLabel={current?.set ? t('leads.secret.rotate') : t('leads.secret.create')}
          onConfirm={rotate}
          disabled={!current}
        />
      </div>
    </div>
  );
}
