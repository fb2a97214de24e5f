/**
 * The list of every problem the server named, at the top of the editor. It takes focus when it
 * appears (role=alert), and each entry links to its field; problems no field takes are listed
 * with their API path.
 */
import { forwardRef } from 'react';
import { useTranslation } from 'react-i18next';
import { fieldId } from './field-errors.ts';
import { focusField } from './focus.ts';

export interface SummaryItem {
  path: string;
  message: string;
  /** The field it is shown at, and that field's label with its fieldset legends. */
  field?: string;
  label?: string;
}

export const ErrorSummary = forwardRef<HTMLDivElement, { items: SummaryItem[]; note: string }>(function ErrorSummary({ items, note }, ref) {
  const { t } = useTranslation('editor');
  return (
    <div ref={ref} className="notice notice-error editor-summary" role="alert" tabIndex={-1} aria-labelledby="offer-error-summary-title">
      <h2 id="offer-error-summary-title">{t('summary.title', { count: items.length })}</h2>
      <p>{note}</p>
      <ul>
        {items.map((item) => (
          <li key={`${item.path}\u0000${item.message}`}>
            {item.field ? (
              <a
                href={`#${fieldId(item.field)}`}
                onClick={(event) => {
                  event.preventDefault();
                  focusField(item.field!);
                }}
              >
                {item.label ?? item.path}
              </a>
            ) : (
              <code>{item.path || t('summary.wholeOffer')}</code>
            )}
            : {item.message}
          </li>
        ))}
      </ul>
    </div>
  );
});
