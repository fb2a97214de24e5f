/** The frame of every page: skip link, header with navigation and language, the page, footer. */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth.tsx';
import { chooseLanguage, LANGUAGES, type Language } from '../i18n/index.ts';
import { Link, useLocation } from '../router.tsx';

function NavLink({ to, children, exact }: { to: string; children: ReactNode; exact?: boolean }) {
  const { pathname } = useLocation();
  const current = exact ? pathname === to : pathname === to || pathname.startsWith(`${to}/`);
  return (
    <Link to={to} aria-current={current ? 'page' : undefined}>
      {children}
    </Link>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { t, i18n } = useTranslation();
  const auth = useAuth();
  return (
    <>
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="site-header">
        <div className="header-inner">
          <Link to="/" className="brand">
            {t('app.name')}
          </Link>
          <nav aria-label={t('nav.main')}>
            <ul>
              <li>
                <NavLink to="/" exact>
                  {t('nav.storefront')}
                </NavLink>
              </li>
              <li>
                <NavLink to="/portal">{t('nav.portal')}</NavLink>
              </li>
              {auth.isOperator && (
                <li>
                  <NavLink to="/operator">{t('nav.operator')}</NavLink>
                </li>
              )}
            </ul>
          </nav>
          <div className="header-tools">
            <label className="language">
              <span className="visually-hidden">{t('nav.language')}</span>
              <select value={i18n.resolvedLanguage} onChange={(event) => chooseLanguage(event.target.value as Language)}>
                {LANGUAGES.map((lng) => (
                  <option key={lng} value={lng} lang={lng}>
                    {t(`languages.${lng}`)}
                  </option>
                ))}
              </select>
            </label>
            {auth.me && (
              <button type="button" className="link-button" onClick={auth.signOut}>
                {t('nav.signOut')}
              </button>
            )}
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <footer className="site-footer">
        <p>
          {t('app.tagline')} · <a href="/api/v1/openapi.json">API</a>
        </p>
      </footer>
    </>
  );
}
