/**
 * One offer's public page (`/offers/{publisher}.{offer}`): the listing with its markdown
 * description (rendered without scripts), every plan's facts, support and legal links, the test
 * drive (started here when the marketplace hosts test drives), and "Get it now". A preview is shown only to its audience's subscription; to anyone else
 * the API answers 404, which reads here as "not in the catalogue".
 */
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api/client.ts';
import type { CatalogOffer, CatalogPlan } from '../../../../contracts/index.ts';
import { ErrorMessage, Loading } from '../../components/ErrorMessage.tsx';
import { useApi } from '../../components/use-api.ts';
import { useFormat } from '../../format.ts';
import { renderMarkdown } from '../../markdown.ts';
import { Link } from '../../router.tsx';
import { session } from '../../session.ts';
import { AcquireForm } from './AcquireForm.tsx';
import { catalogHeaders, catalogOfferPath, webUrl } from './catalog.ts';
import { PlanPrice, useCategoryLabel } from './Pricing.tsx';
import { TestDriveSection } from './TestDrive.tsx';
import './storefront.css';

export function OfferPage({ offerKey }: { offerKey: string }) {
  const { t } = useTranslation('storefront');
  const subscription = session.previewSubscription();
  const offer = useApi(
    (signal) => api.get<CatalogOffer>(catalogOfferPath(offerKey), { headers: catalogHeaders(subscription), signal, auth: false }),
    [offerKey, subscription],
  );

  if (offer.error instanceof ApiError && offer.error.status === 404) {
    return (
      <section className="offer-page">
        <h1>{t('offer.notFoundTitle')}</h1>
        <p>{t('offer.notFound', { key: offerKey })}</p>
        {!subscription && <p className="muted">{t('offer.notFoundPreviewHint')}</p>}
        <p>
          <Link to="/">{t('offer.back')}</Link>
        </p>
      </section>
    );
  }
  if (offer.error) return <ErrorMessage error={offer.error} onRetry={offer.reload} />;
  if (!offer.data) return <Loading />;
  return <OfferDetails offer={offer.data} subscription={subscription} />;
}

function OfferDetails({ offer, subscription }: { offer: CatalogOffer; subscription: string | null }) {
  const { t } = useTranslation('storefront');
  const categoryLabel = useCategoryLabel();
  const format = useFormat();
  const supportUrl = webUrl(offer.support.url);
  const privacyUrl = webUrl(offer.privacyUrl);
  const manualUrl = webUrl(offer.testDrive?.userManualUrl);

  return (
    <article className="offer-page">
      <p className="breadcrumb">
        <Link to="/">{t('offer.back')}</Link>
      </p>
      <header className="offer-header">
        <div className="offer-title">
          <h1>{offer.title}</h1>
          {offer.preview && <span className="badge badge-preview">{t('previewBadge')}</span>}
        </div>
        <p className="muted">
          {t('by', { publisher: offer.publisher })} · {t('offer.published', { date: format.date(offer.publishedAt) })}
        </p>
        <p className="offer-lead">{offer.summary}</p>
        {offer.preview && <p className="notice notice-warn">{t('offer.previewNotice')}</p>}
        <Lifecycle sold={offer.sold} deprecation={offer.deprecation} whole />
        <ul className="tags" aria-label={t('categoriesLabel')}>
          {offer.categories.map((c) => (
            <li key={c}>{categoryLabel(c)}</li>
          ))}
        </ul>
        <p>
          <a className="button primary" href="#get-it-now">
            {t('acquire.jump')}
          </a>
        </p>
      </header>

      <div className="offer-layout">
        <div className="offer-main">
          <section aria-labelledby="offer-description">
            <h2 id="offer-description">{t('offer.description')}</h2>
            {/* renderMarkdown escapes raw HTML and drops script-capable links (markdown.ts) */}
            <div className="markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(offer.description) }} />
          </section>

          <section aria-labelledby="offer-plans">
            <h2 id="offer-plans">{t('offer.plans', { count: offer.plans.length })}</h2>
            {offer.plans.map((plan) => (
              <PlanDetails key={plan.id} plan={plan} />
            ))}
          </section>
        </div>

        <aside className="offer-aside" aria-label={t('offer.aboutLabel')}>
          <section aria-labelledby="offer-support">
            <h2 id="offer-support">{t('offer.support')}</h2>
            <ul className="plain">
              {offer.support.name && <li>{offer.support.name}</li>}
              {offer.support.email && (
                <li>
                  <a href={`mailto:${offer.support.email}`}>{offer.support.email}</a>
                </li>
              )}
              {offer.support.phone && (
                <li>
                  <a href={`tel:${offer.support.phone.replace(/[^\d+]/g, '')}`}>{offer.support.phone}</a>
                </li>
              )}
              {supportUrl && (
                <li>
                  <a href={supportUrl} target="_blank" rel="noopener noreferrer nofollow">
                    {t('offer.supportSite')}
                  </a>
                </li>
              )}
            </ul>
          </section>
          <section aria-labelledby="offer-legal">
            <h2 id="offer-legal">{t('offer.legal')}</h2>
            {privacyUrl && (
              <p>
                <a href={privacyUrl} target="_blank" rel="noopener noreferrer nofollow">
                  {t('offer.privacy')}
                </a>
              </p>
            )}
            {offer.termsOfUse && (
              <>
                <h3>{t('offer.terms')}</h3>
                <p className="terms">{offer.termsOfUse}</p>
              </>
            )}
          </section>
          {offer.testDrive?.enabled && (
            <section aria-labelledby="offer-test-drive">
              <h2 id="offer-test-drive">{t('offer.testDrive')}</h2>
              <p>{t('offer.testDriveText', { count: offer.testDrive.durationHours ?? 1, hours: format.number(offer.testDrive.durationHours ?? 1) })}</p>
              {manualUrl && (
                <p>
                  <a href={manualUrl} target="_blank" rel="noopener noreferrer nofollow">
                    {t('offer.testDriveManual')}
                  </a>
                </p>
              )}
            </section>
          )}
        </aside>
      </div>

      {offer.testDrive?.enabled && offer.testDrive.hosted && <TestDriveSection offer={offer} subscription={subscription} />}
      <AcquireForm offer={offer} subscription={subscription} />
    </article>
  );
}

/**
 * What the publisher decided (src/lifecycle/): no longer sold, or deprecated on a day (with the
 * plan to take instead). `whole`: about the offer, else about one plan.
 */
function Lifecycle({ sold, deprecation, whole }: Pick<CatalogOffer, 'sold' | 'deprecation'> & { whole?: boolean }) {
  const { t } = useTranslation('storefront');
  const format = useFormat();
  if (sold && !deprecation) return null;
  const notSold = t(whole ? 'lifecycle.notSoldOffer' : 'lifecycle.notSoldPlan');
  let text = notSold;
  if (deprecation) {
    const date = format.date(`${deprecation.on}T00:00:00Z`);
    const key = whole ? 'lifecycle.deprecatedOffer' : deprecation.alternativePlan ? 'lifecycle.deprecatedPlanUse' : 'lifecycle.deprecatedPlan';
    text = t(key, { date, plan: deprecation.alternativePlan });
    if (!sold) text = `${text} ${notSold}`;
  }
  return (
    <div className={`notice ${sold ? 'notice-warn' : 'notice-error'} lifecycle-notice`} role="status">
      <p>{text}</p>
      {deprecation?.reason && <p className="muted">{t('lifecycle.reason', { reason: deprecation.reason })}</p>}
    </div>
  );
}

function PlanDetails({ plan }: { plan: CatalogPlan }) {
  const { t } = useTranslation('storefront');
  const os = [plan.os.name, plan.os.type, plan.os.family].find(Boolean);
  return (
    <section className="plan" aria-labelledby={`plan-${plan.id}`}>
      <div className="plan-head">
        <h3 id={`plan-${plan.id}`}>{plan.title}</h3>
        <PlanPrice pricing={plan.pricing} />
      </div>
      <Lifecycle sold={plan.sold} deprecation={plan.deprecation} />
      <p>{plan.summary}</p>
      {plan.description && <p className="muted plan-description">{plan.description}</p>}
      <dl className="facts">
        <div>
          <dt>{t('plan.os')}</dt>
          <dd>{os ?? '—'}</dd>
        </div>
        <div>
          <dt>{t('plan.version')}</dt>
          <dd>{plan.version}</dd>
        </div>
        <div>
          <dt>{t('plan.regions')}</dt>
          <dd>{plan.regions.join(', ') || '—'}</dd>
        </div>
        <div>
          <dt>{t('plan.sizes')}</dt>
          <dd>{plan.recommendedSizes.join(', ') || '—'}</dd>
        </div>
        <div>
          <dt>{t('plan.ports')}</dt>
          <dd>{plan.openPorts.length ? plan.openPorts.map((p) => `${p.port}/${p.protocol}`).join(', ') : t('plan.noPorts')}</dd>
        </div>
      </dl>
    </section>
  );
}
