/** The operator's audit log: every publisher's state-changing requests, newest first. */
import { useTranslation } from 'react-i18next';
import { AuditLog } from '../audit/AuditLog.tsx';

export function AuditSection() {
  const { t } = useTranslation('audit');
  return (
    <section aria-labelledby="operator-heading">
      <h1 id="operator-heading">{t('heading')}</h1>
      <p className="muted">{t('intro')}</p>
      <AuditLog base="/audit" showPublisher headingId="operator-heading" />
    </section>
  );
}
