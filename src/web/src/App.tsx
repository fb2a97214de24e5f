/** The route table: storefront (public), publisher portal and operator view (signed in). */
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Layout } from './components/Layout.tsx';
import { OperatorPage, type OperatorSection } from './pages/operator/OperatorPage.tsx';
import { AuditPage } from './pages/portal/AuditPage.tsx';
import { LeadsPage } from './pages/portal/LeadsPage.tsx';
import { OfferEditorPage } from './pages/portal/OfferEditorPage.tsx';
import { OffersPage } from './pages/portal/OffersPage.tsx';
import { PortalNav } from './pages/portal/PortalNav.tsx';
import { PublishingPage } from './pages/portal/PublishingPage.tsx';
import { RequireSignIn } from './pages/portal/SignIn.tsx';
import { TicketPage, TicketsPage } from './pages/portal/TicketsPage.tsx';
import { OfferPage } from './pages/storefront/OfferPage.tsx';
import { StorefrontPage } from './pages/storefront/StorefrontPage.tsx';
import { matchRoute, useLocation } from './router.tsx';

function portal(render: (publisherId: string) => React.ReactNode) {
  return (
    <RequireSignIn>
      {(publisherId) => (
        <>
          <PortalNav />
          {render(publisherId)}
        </>
      )}
    </RequireSignIn>
  );
}

function Page({ pathname }: { pathname: string }) {
  const { t } = useTranslation();
  let params: Record<string, string> | null;
  if (matchRoute('/', pathname)) return <StorefrontPage />;
  if ((params = matchRoute('/offers/:key', pathname))) return <OfferPage offerKey={params.key} />;
  if (matchRoute('/portal', pathname) || matchRoute('/portal/offers', pathname)) return portal((pub) => <OffersPage publisherId={pub} />);
  if (matchRoute('/portal/offers/new', pathname)) return portal((pub) => <OfferEditorPage publisherId={pub} />);
  if ((params = matchRoute('/portal/offers/:offer/edit', pathname))) {
    const offer = params.offer;
    return portal((pub) => <OfferEditorPage key={offer} publisherId={pub} offerId={offer} />);
  }
  if ((params = matchRoute('/portal/offers/:offer', pathname))) {
    const offer = params.offer;
    return portal((pub) => <PublishingPage key={offer} publisherId={pub} offerId={offer} />);
  }
  if (matchRoute('/portal/tickets', pathname)) return portal((pub) => <TicketsPage publisherId={pub} />);
  if ((params = matchRoute('/portal/tickets/:ticket', pathname))) {
    const ticket = params.ticket;
    return portal((pub) => <TicketPage key={ticket} publisherId={pub} ticketId={ticket} />);
  }
  if (matchRoute('/portal/leads', pathname)) return portal((pub) => <LeadsPage publisherId={pub} />);
  if (matchRoute('/portal/audit', pathname)) return portal((pub) => <AuditPage publisherId={pub} />);
  if (matchRoute('/operator', pathname)) return <RequireSignIn operatorOnly>{() => <OperatorPage section="operations" />}</RequireSignIn>;
  if ((params = matchRoute('/operator/:section', pathname))) {
    const section = params.section as OperatorSection;
    return <RequireSignIn operatorOnly>{() => <OperatorPage section={section} />}</RequireSignIn>;
  }
  return (
    <section>
      <h1>{t('errors.NOT_FOUND')}</h1>
      <p>{t('errors.notFoundPage')}</p>
    </section>
  );
}

export function App() {
  const { pathname } = useLocation();
  const first = useRef(true);
  // after an in-app navigation, move focus to the new page so screen readers announce it
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [pathname]);
  return (
    <Layout>
      <Page pathname={pathname} />
    </Layout>
  );
}
