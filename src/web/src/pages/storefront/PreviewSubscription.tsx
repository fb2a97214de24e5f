/**
 * The customer's preview subscription: a subscription id (GUID) that some publisher listed in an
 * offer's preview audience. Applied, it is kept for the tab (session storage) and every catalogue
 * request sends it, so that audience's previews appear; cleared, they disappear again.
 */
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from '../../components/Field.tsx';
import { session } from '../../session.ts';
import { isGuid } from './catalog.ts';

/** The preview subscription of this tab and a setter that keeps it in the session. */
export function usePreviewSubscription(): [string | null, (value: string | null) => void] {
  const [value, setValue] = useState<string | null>(() => session.previewSubscription());
  const set = (next: string | null) => {
    session.setPreviewSubscription(next);
    setValue(next);
  };
  return [value, set];
}

export function PreviewSubscriptionForm({ value, onChange }: { value: string | null; onChange(value: string | null): void }) {
  const { t } = useTranslation('storefront');
  const [draft, setDraft] = useState(value ?? '');
  const [error, setError] = useState<string | undefined>();

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const id = draft.trim();
    if (id === '') {
      setError(undefined);
      onChange(null);
    } else if (!isGuid(id)) {
      setError(t('preview.invalid'));
    } else {
      setError(undefined);
      setDraft(id);
      onChange(id);
    }
  };
  const clear = () => {
    setDraft('');
    setError(undefined);
    onChange(null);
  };

  return (
    <form className="preview-subscription" onSubmit={apply} noValidate aria-labelledby="preview-subscription-title">
      <h2 id="preview-subscription-title" className="visually-hidden">
        {t('preview.title')}
      </h2>
      <Field id="preview-subscription" label={t('preview.label')} hint={t('preview.hint')} error={error}>
        <input
          type="text"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          autoComplete="off"
          spellCheck={false}
          inputMode="text"
        />
      </Field>
      <div className="actions">
        <button type="submit">{t('preview.apply')}</button>
        {value && (
          <button type="button" onClick={clear}>
            {t('preview.clear')}
          </button>
        )}
      </div>
      <p className="muted preview-state" role="status">
        {value ? t('preview.active', { id: value }) : ''}
      </p>
    </form>
  );
}
