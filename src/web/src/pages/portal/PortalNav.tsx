/** The portal's own navigation: offers, tickets, leads and the audit log of the publisher acted for. */
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from '../../router.tsx';

const SECTIONS = [
  { to: '/portal', key: 'offers', match: (p: string) => p === '/portal' || p.startsWith('/portal/offers') },
  { to: '/portal/tickets', key: 'tickets', match: (p: string) => p.startsWith('/portal/tickets') },
  { to: '/portal/leads', key: 'leads', match: (p: string) => p.startsWith('/portal/leads') },
  { to: '/portal/audit', key: 'audit', match: (p: string) => p.startsWith('/portal/audit') },
] as const;

export function PortalNav() {
  const { t } = useTranslation('portal');
  const { pathname } = useLocation();
  return (
    <nav className="subnav" aria-label={t('nav.label')}>
      <ul>
        {SECTIONS.map((s) => (
          <li key={s.key}>
            <Link to={s.to} aria-current={s.match(pathname) ? 'page' : undefined}>
              {t(`nav.${s.key}`)}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
