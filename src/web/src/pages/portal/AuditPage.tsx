/** The publisher's own audit log: every change to its offers, tickets and leads, and who made it. */
import { useTranslation } from 'react-i18next';
import { publisherPath } from '../../api/client.ts';
import { AuditLog } from '../audit/AuditLog.tsx';

export function AuditPage({ publisherId }: { publisherId: string }) {
  const { t } = useTranslation('audit');
  return (
    <section aria-labelledby="audit-heading">
      <h1 id="audit-heading">{t('portalHeading')}</h1>
      <p className="muted">{t('portalIntro')}</p>
      <AuditLog base={`${publisherPath(publisherId)}/audit`} showPublisher={false} headingId="audit-heading" />
    </section>
  );
}
