/**
 * The offer page's test drive, where the marketplace hosts them: the customer names their
 * subscription and contact (a test drive is a lead), starts one, and the panel shows its state,
 * the credentials (the private key to download once, the password), the time left, the serial
 * console and "End test drive". The access token is kept for this tab only (sessionStorage), so
 * a reload finds the running test drive again.
 */
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, API_BASE, ApiError, interfaceLanguage } from '../../api/client.ts';
import type { CatalogOffer, TestDriveStarted, TestDriveView } from '../../../../contracts/index.ts';
import { ConfirmButton } from '../../components/ConfirmButton.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Field } from '../../components/Field.tsx';
import { catalogOfferPath, webUrl } from './catalog.ts';
import { TestDriveConsole } from './TestDriveConsole.tsx';

interface Held {
  id: string;
  token: string;
}

const storageKey = (offer: string) => `vmarket.testDrive.${offer}`;

function loadHeld(offer: string): Held | null {
  try {
    const value = JSON.parse(sessionStorage.getItem(storageKey(offer)) ?? 'null') as Held | null;
    return value?.id && value.token ? value : null;
  } catch {
    return null;
  }
}

function saveHeld(offer: string, held: Held | null): void {
  try {
    if (held) sessionStorage.setItem(storageKey(offer), JSON.stringify(held));
    else sessionStorage.removeItem(storageKey(offer));
  } catch {
    // not kept across reloads; the panel still works in this page
  }
}

const tokenHeaders = (held: Held) => ({ 'x-test-drive-token': held.token });

export function TestDriveSection({ offer, subscription }: { offer: CatalogOffer; subscription: string | null }) {
  const { t } = useTranslation('storefront');
  const [held, setHeld] = useState<Held | null>(() => loadHeld(offer.id));
  const [first, setFirst] = useState<TestDriveView | null>(null);

  const started = (answer: TestDriveStarted) => {
    const next = { id: answer.testDrive.id, token: answer.accessToken };
    saveHeld(offer.id, next);
    setFirst(answer.testDrive);
    setHeld(next);
  };
  const forget = () => {
    saveHeld(offer.id, null);
    setFirst(null);
    setHeld(null);
  };

  return (
    <section className="test-drive" aria-labelledby="test-drive-heading">
      <h2 id="test-drive-heading">{t('testDrive.title')}</h2>
      {held ? <TestDrivePanel held={held} initial={first} onForget={forget} /> : <StartForm offer={offer} subscription={subscription} onStarted={started} />}
    </section>
  );
}

function StartForm({ offer, subscription, onStarted }: { offer: CatalogOffer; subscription: string | null; onStarted(answer: TestDriveStarted): void }) {
  const { t } = useTranslation('storefront');
  const [subscriptionId, setSubscriptionId] = useState(subscription ?? '');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setFieldErrors({});
    try {
      const answer = await api.post<TestDriveStarted>(
        `${catalogOfferPath(offer.id)}/test-drives`,
        { subscriptionId: subscriptionId.trim(), contact: { name, email: email.trim() } },
        { auth: false },
      );
      onStarted(answer);
    } catch (cause) {
      if (cause instanceof ApiError && cause.details.length > 0 && (cause.status === 400 || cause.status === 422)) {
        const errors: Record<string, string> = {};
        for (const detail of cause.details) errors[detail.path] ??= t(`acquire.errors.${detail.path}`, { defaultValue: detail.message });
        setFieldErrors(errors);
      } else {
        setError(cause);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="test-drive-form" onSubmit={(event) => void submit(event)} noValidate>
      <p>{t('testDrive.intro', { count: offer.testDrive?.durationHours ?? 1 })}</p>
      <div className="grid-2">
        <Field id="td-subscription" label={t('acquire.subscription')} hint={t('acquire.subscriptionHint')} path="subscriptionId" error={fieldErrors.subscriptionId} required>
          <input type="text" value={subscriptionId} onChange={(event) => setSubscriptionId(event.target.value)} autoComplete="off" spellCheck={false} />
        </Field>
        <Field id="td-name" label={t('acquire.name')} path="contact.name" error={fieldErrors['contact.name']} required>
          <input type="text" value={name} onChange={(event) => setName(event.target.value)} autoComplete="name" />
        </Field>
        <Field id="td-email" label={t('acquire.email')} path="contact.email" error={fieldErrors['contact.email']} required>
          <input type="email" value={email} onChange={(event) => setEmail(event.target.value)} autoComplete="email" />
        </Field>
      </div>
      <p className="hint">{t('testDrive.consent', { publisher: offer.publisher })}</p>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('testDrive.starting') : t('testDrive.start')}
        </button>
      </div>
      <ErrorMessage error={error} />
    </form>
  );
}

/** Seconds left, counted down here between the server's answers. */
function useSecondsLeft(drive: TestDriveView | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  if (!drive || drive.status === 'ended' || drive.status === 'failed') return 0;
  return Math.max(0, Math.round((Date.parse(drive.expiresAt) - now) / 1000));
}

function clock(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

function TestDrivePanel({ held, initial, onForget }: { held: Held; initial: TestDriveView | null; onForget(): void }) {
  const { t } = useTranslation('storefront');
  const [drive, setDrive] = useState<TestDriveView | null>(initial);
  const [error, setError] = useState<unknown>();
  const [keyError, setKeyError] = useState<unknown>();
  const secondsLeft = useSecondsLeft(drive);

  const refresh = useCallback(async () => {
    try {
      setDrive(await api.get<TestDriveView>(`/test-drives/${encodeURIComponent(held.id)}`, { headers: tokenHeaders(held), auth: false }));
      setError(undefined);
    } catch (cause) {
      // the test drive is gone (another server, a restart long ago): start afresh
      if (cause instanceof ApiError && cause.status === 404) onForget();
      else setError(cause);
    }
  }, [held, onForget]);

  const open = drive === null || drive.status === 'starting' || drive.status === 'running';
  useEffect(() => {
    void refresh();
    if (!open) return;
    // often while it boots, now and then while it runs (the expiry ends it on the server)
    const timer = setInterval(() => void refresh(), drive?.status === 'running' ? 15_000 : 1500);
    return () => clearInterval(timer);
  }, [refresh, open, drive?.status]);

  const downloadKey = async () => {
    setKeyError(undefined);
    try {
      const response = await fetch(`${API_BASE}/test-drives/${encodeURIComponent(held.id)}/private-key`, {
        headers: { ...tokenHeaders(held), 'accept-language': interfaceLanguage() },
      });
      if (!response.ok) throw new ApiError(response.status, `HTTP_${response.status}`, t('testDrive.keyGone'));
      const url = URL.createObjectURL(new Blob([await response.text()], { type: 'application/x-pem-file' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `test-drive-${held.id.slice(0, 8)}.key`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (cause) {
      setKeyError(cause);
    }
    void refresh();
  };

  const end = async () => {
    try {
      setDrive(await api.delete<TestDriveView>(`/test-drives/${encodeURIComponent(held.id)}`, { headers: tokenHeaders(held), auth: false }));
    } catch (cause) {
      setError(cause);
    }
  };

  if (!drive) return <ErrorMessage error={error} />;
  const manual = webUrl(drive.userManualUrl);
  return (
    <div className="test-drive-panel">
      <dl className="facts">
        <div>
          <dt>{t('testDrive.state')}</dt>
          <dd data-testid="test-drive-status">{t(`testDrive.status.${drive.status}`)}</dd>
        </div>
        {open && (
          <div>
            <dt>{t('testDrive.timeLeft')}</dt>
            <dd>
              <time dateTime={`PT${secondsLeft}S`}>{clock(secondsLeft)}</time>
            </dd>
          </div>
        )}
        <div>
          <dt>{t('testDrive.user')}</dt>
          <dd>
            <code>{drive.login.user}</code>
          </dd>
        </div>
        {drive.login.password && (
          <div>
            <dt>{t('testDrive.password')}</dt>
            <dd>
              <code data-testid="test-drive-password">{drive.login.password}</code>
            </dd>
          </div>
        )}
      </dl>
      {drive.endReason && <p className="notice">{t(`testDrive.endReason.${drive.endReason}`)}</p>}
      {open && (
        <div className="actions">
          <button type="button" onClick={() => void downloadKey()} disabled={!drive.login.privateKeyAvailable}>
            {drive.login.privateKeyAvailable ? t('testDrive.downloadKey') : t('testDrive.keyDownloaded')}
          </button>
          <ConfirmButton
            label={t('testDrive.end')}
            title={t('testDrive.endTitle')}
            question={t('testDrive.endQuestion')}
            confirmLabel={t('testDrive.endConfirm')}
            onConfirm={end}
            danger
          />
        </div>
      )}
      <ErrorMessage error={keyError} />
      {manual && (
        <p>
          <a href={manual} target="_blank" rel="noopener noreferrer nofollow">
            {t('offer.testDriveManual')}
          </a>
        </p>
      )}
      {drive.status === 'starting' && <p className="muted">{t('testDrive.booting')}</p>}
      {drive.status === 'running' && <TestDriveConsole id={held.id} token={held.token} onClosed={() => void refresh()} />}
      {!open && (
        <div className="actions">
          <button type="button" onClick={onForget}>
            {t('testDrive.again')}
          </button>
        </div>
      )}
      <ErrorMessage error={error} />
    </div>
  );
}
