/**
 * Sign-in with a bearer token, and the gate in front of every portal page: no token → the form;
 * an operator who has not picked a publisher → the picker (publisher pages need one).
 */
import { type FormEvent, type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api/client.ts';
import { useAuth } from '../../auth.tsx';
import { ErrorMessage, Loading } from '../../components/ErrorMessage.tsx';
import { Field } from '../../components/Field.tsx';
import { useApi } from '../../components/use-api.ts';

export function SignInForm() {
  const { t } = useTranslation('signin');
  const auth = useAuth();
  const [token, setToken] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    if (!token.trim()) {
      setFieldError(t('required'));
      return;
    }
    setBusy(true);
    try {
      await auth.signIn(token);
    } catch (cause) {
      if (cause instanceof ApiError && cause.status === 401) setFieldError(t('invalid'));
      else setError(cause);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="narrow">
      <h1>{t('title')}</h1>
      <p>{t('intro')}</p>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <Field id="signin-token" label={t('token')} hint={t('tokenHint')} error={fieldError} required>
          <input
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={token}
            onChange={(event) => {
              setToken(event.target.value);
              setFieldError(undefined);
            }}
          />
        </Field>
        <ErrorMessage error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {t('submit')}
        </button>
      </form>
    </section>
  );
}

function PublisherPicker() {
  const { t } = useTranslation('signin');
  const auth = useAuth();
  const publishers = useApi((signal) => api.get<{ publishers: { id: string; name: string }[] }>('/publishers', { signal }), []);
  const [choice, setChoice] = useState('');
  if (publishers.loading && !publishers.data) return <Loading />;
  if (publishers.error) return <ErrorMessage error={publishers.error} onRetry={publishers.reload} />;
  const list = publishers.data?.publishers ?? [];
  return (
    <section className="narrow">
      <h1>{t('choosePublisher')}</h1>
      {list.length === 0 ? (
        <p>{t('noPublishers')}</p>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            auth.actFor(choice || list[0].id);
          }}
        >
          <Field id="act-for" label={t('publisher')}>
            <select value={choice || list[0].id} onChange={(event) => setChoice(event.target.value)}>
              {list.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name} ({p.id})
                </option>
              ))}
            </select>
          </Field>
          <button type="submit" className="primary">
            {t('act')}
          </button>
        </form>
      )}
    </section>
  );
}

/** Renders its children once signed in (and, unless `operatorOnly`, acting for a publisher). */
export function RequireSignIn({ children, operatorOnly }: { children: (publisherId: string) => ReactNode; operatorOnly?: boolean }) {
  const auth = useAuth();
  const { t } = useTranslation('signin');
  if (!auth.ready) return <Loading />;
  if (!auth.me) return <SignInForm />;
  if (operatorOnly) return auth.isOperator ? <>{children('')}</> : <ErrorMessage error={new ApiError(403, 'FORBIDDEN', 'operator only')} />;
  if (!auth.publisherId) return <PublisherPicker />;
  return (
    <>
      {auth.isOperator && (
        <p className="acting-for">
          {t('actingFor')} <strong>{auth.publisherId}</strong>{' '}
          <button type="button" className="link-button" onClick={() => auth.actFor(null)}>
            {t('choosePublisher')}
          </button>
        </p>
      )}
      {children(auth.publisherId)}
    </>
  );
}
