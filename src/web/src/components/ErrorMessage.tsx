/** An API failure in words the user can act on, in their language, with the server's detail. */
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';

export function errorText(t: TFunction, error: unknown): { summary: string; detail?: string } {
  if (error instanceof ApiError) {
    if (error.code === 'NETWORK') return { summary: t('common:errors.network') };
    const summary = t(`common:errors.${error.code}`, { defaultValue: error.message });
    return summary === error.message ? { summary } : { summary, detail: error.message };
  }
  return { summary: error instanceof Error ? error.message : String(error) };
}

export function ErrorMessage({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  if (!error) return null;
  const { summary, detail } = errorText(t, error);
  return (
    <div className="notice notice-error" role="alert">
      <p>
        <strong>{summary}</strong>
      </p>
      {detail && <p className="muted">{detail}</p>}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t('common:actions.retry')}
        </button>
      )}
    </div>
  );
}

export function Loading() {
  const { t } = useTranslation();
  return (
    <p className="muted" role="status" aria-live="polite">
      {t('common:actions.loading')}
    </p>
  );
}
