/**
 * Every publisher, and the form that creates one. The new publisher's token is answered once by
 * the server (it keeps only a hash), so it is shown once here: held in this component's state
 * only — never in session or local storage — and gone when the box is dismissed or the page left.
 */
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api/client.ts';
import type { CreatedPublisher, PublisherListItem } from '../../../../contracts/index.ts';
import { ErrorMessage, Loading } from '../../components/ErrorMessage.tsx';
import { Field } from '../../components/Field.tsx';
import { useApi } from '../../components/use-api.ts';
import { useFormat } from '../../format.ts';
import { ActForLink } from './ActForLink.tsx';

/** The server's rule (offers/schema PUBLISHER_ID_PATTERN), checked here to answer at once. */
const PUBLISHER_ID = /^[a-z0-9-]{2,50}$/;

function TokenOnce({ created, onDone }: { created: CreatedPublisher; onDone(): void }) {
  const { t } = useTranslation('operator');
  const heading = useRef<HTMLHeadingElement>(null);
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);

  useEffect(() => heading.current?.focus(), []);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied('yes');
    } catch {
      // no clipboard permission (or not a secure context): the field is selectable by hand
      setCopied('failed');
      const field = document.getElementById('new-token') as HTMLInputElement | null;
      field?.select();
    }
  };

  return (
    <section className="token-once" aria-labelledby="token-once-heading">
      <h2 id="token-once-heading" ref={heading} tabIndex={-1}>
        {t('publishers.tokenHeading', { name: created.name, id: created.id })}
      </h2>
      <p className="token-warning">
        <strong>{t('publishers.tokenOnce')}</strong> {t('publishers.tokenWarning')}
      </p>
      <Field id="new-token" label={t('publishers.tokenLabel')}>
        <input type="text" readOnly className="mono" value={created.token} spellCheck={false} autoComplete="off" onFocus={(event) => event.target.select()} />
      </Field>
      <div className="actions">
        <button type="button" className="primary" onClick={() => void copy()}>
          {t('publishers.copy')}
        </button>
        <button type="button" onClick={onDone}>
          {t('publishers.tokenDone')}
        </button>
      </div>
      <p role="status" aria-live="polite" className={copied === 'failed' ? 'field-error-text' : 'muted'}>
        {copied === 'yes' ? t('publishers.copied') : copied === 'failed' ? t('publishers.copyFailed') : ''}
      </p>
    </section>
  );
}

function CreatePublisherForm({ onCreated }: { onCreated(created: CreatedPublisher): void }) {
  const { t } = useTranslation('operator');
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<{ id?: string; name?: string }>({});
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    const found: { id?: string; name?: string } = {};
    if (!PUBLISHER_ID.test(id.trim())) found.id = id.trim() ? t('publishers.idInvalid') : t('publishers.idRequired');
    if (!name.trim()) found.name = t('publishers.nameRequired');
    setErrors(found);
    if (found.id || found.name) {
      document.getElementById(found.id ? 'publisher-id' : 'publisher-name')?.focus();
      return;
    }
    setBusy(true);
    try {
      const created = await api.post<CreatedPublisher>('/publishers', { id: id.trim(), name: name.trim() });
      setId('');
      setName('');
      onCreated(created);
    } catch (cause) {
      if (cause instanceof ApiError && cause.code === 'ALREADY_EXISTS') setErrors({ id: t('publishers.idTaken') });
      else if (cause instanceof ApiError && cause.details.some((d) => d.path === 'id' || d.path === 'name')) {
        const at = (path: string) => cause.details.find((d) => d.path === path)?.message;
        setErrors({ id: at('id') && t('publishers.idInvalid'), name: at('name') && t('publishers.nameRequired') });
      } else setError(cause);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="operator-form" onSubmit={(event) => void submit(event)} noValidate aria-labelledby="create-publisher-heading">
      <h2 id="create-publisher-heading">{t('publishers.create')}</h2>
      <div className="grid-2">
        <Field id="publisher-id" label={t('publishers.id')} hint={t('publishers.idHint')} error={errors.id} required>
          <input
            type="text"
            value={id}
            maxLength={50}
            spellCheck={false}
            autoCapitalize="none"
            autoComplete="off"
            onChange={(event) => {
              setId(event.target.value);
              setErrors((e) => ({ ...e, id: undefined }));
            }}
          />
        </Field>
        <Field id="publisher-name" label={t('publishers.name')} error={errors.name} required>
          <input
            type="text"
            value={name}
            maxLength={100}
            autoComplete="off"
            onChange={(event) => {
              setName(event.target.value);
              setErrors((e) => ({ ...e, name: undefined }));
            }}
          />
        </Field>
      </div>
      <ErrorMessage error={error} />
      <button type="submit" className="primary" disabled={busy}>
        {t('publishers.submit')}
      </button>
    </form>
  );
}

export function PublishersSection() {
  const { t } = useTranslation('operator');
  const format = useFormat();
  const publishers = useApi((signal) => api.get<{ publishers: PublisherListItem[] }>('/publishers', { signal }), []);
  const [created, setCreated] = useState<CreatedPublisher | null>(null);
  const list = publishers.data?.publishers ?? [];

  return (
    <section aria-labelledby="operator-heading">
      <h1 id="operator-heading">{t('publishers.heading')}</h1>
      {created ? (
        <TokenOnce created={created} onDone={() => setCreated(null)} />
      ) : (
        <CreatePublisherForm
          onCreated={(answer) => {
            setCreated(answer);
            publishers.reload();
          }}
        />
      )}
      <h2>{t('publishers.all')}</h2>
      {publishers.loading && !publishers.data && <Loading />}
      <ErrorMessage error={publishers.error} onRetry={publishers.reload} />
      {publishers.data && list.length === 0 && <p>{t('publishers.empty')}</p>}
      {list.length > 0 && (
        <div className="table-wrap">
          <table className="publishers-table stack-table">
            <caption className="visually-hidden">{t('publishers.all')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('publishers.id')}</th>
                <th scope="col">{t('publishers.name')}</th>
                <th scope="col">{t('publishers.createdAt')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('publishers.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((p) => (
                <tr key={p.id}>
                  <td data-label={t('publishers.id')} className="mono">{p.id}</td>
                  <td data-label={t('publishers.name')}>{p.name}</td>
                  <td data-label={t('publishers.createdAt')}>{p.createdAt ? <time dateTime={p.createdAt}>{format.dateTime(p.createdAt)}</time> : '—'}</td>
                  <td>
                    <ActForLink publisherId={p.id} to="/portal" label={t('publishers.actForLabel', { name: p.name })}>
                      {t('publishers.actFor')}
                    </ActForLink>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
