/**
 * The operator's view across every publisher: running operations, publishers (create one, its
 * token shown once), every ticket, the manual certification review queue, the running test drives, revoking a version and the audit log. One sub-navigation,
 * one section per address (/operator is the operations).
 */
import { useTranslation } from 'react-i18next';
import { Link } from '../../router.tsx';
import { AuditSection } from './AuditSection.tsx';
import { OperationsSection } from './OperationsSection.tsx';
import { PublishersSection } from './PublishersSection.tsx';
import { ReviewsSection } from './ReviewsSection.tsx';
import { RevokeSection } from './RevokeSection.tsx';
import { TestDrivesSection } from './TestDrivesSection.tsx';
import { TicketsSection } from './TicketsSection.tsx';
import '../portal/tickets-leads.css'; // .stack-table: tables become cards on phones
import './operator.css';

export type OperatorSection = 'publishers' | 'operations' | 'tickets' | 'reviews' | 'test-drives' | 'revoke' | 'audit';

const SECTIONS: { id: OperatorSection; to: string }[] = [
  { id: 'operations', to: '/operator' },
  { id: 'reviews', to: '/operator/reviews' },
  { id: 'tickets', to: '/operator/tickets' },
  { id: 'publishers', to: '/operator/publishers' },
  { id: 'test-drives', to: '/operator/test-drives' },
  { id: 'revoke', to: '/operator/revoke' },
  { id: 'audit', to: '/operator/audit' },
];

function OperatorNav({ section }: { section: OperatorSection }) {
  const { t } = useTranslation('operator');
  return (
    <nav className="subnav" aria-label={t('nav.label')}>
      <ul>
        {SECTIONS.map((s) => (
          <li key={s.id}>
            <Link to={s.to} aria-current={s.id === section ? 'page' : undefined}>
              {t(`nav.${s.id}`)}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function OperatorPage({ section }: { section: OperatorSection }) {
  const { t } = useTranslation('operator');
  const known = SECTIONS.some((s) => s.id === section);
  return (
    <div className="operator">
      <p className="operator-label">{t('label')}</p>
      <OperatorNav section={section} />
      {section === 'operations' && <OperationsSection />}
      {section === 'publishers' && <PublishersSection />}
      {section === 'tickets' && <TicketsSection />}
      {section === 'reviews' && <ReviewsSection />}
      {section === 'test-drives' && <TestDrivesSection />}
      {section === 'revoke' && <RevokeSection />}
      {section === 'audit' && <AuditSection />}
      {!known && (
        <section>
          <h1>{t('common:errors.NOT_FOUND')}</h1>
          <p>{t('common:errors.notFoundPage')}</p>
        </section>
      )}
    </div>
  );
}
