/**
 * The storefront (`/`, public): the live offers as cards, searched and filtered as the customer
 * types. The search and category live in the URL (`/?q=…&category=…`, replaced, not pushed) so a
 * search can be shared; the preview subscription adds that audience's previews, marked as such.
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import type { CatalogOfferSummary, MarketplaceFacts } from '../../../../contracts/index.ts';
import { ErrorMessage, Loading } from '../../components/ErrorMessage.tsx';
import { useApi } from '../../components/use-api.ts';
import { Link, navigate, useLocation } from '../../router.tsx';
import { catalogHeaders, offerPagePath } from './catalog.ts';
import { PreviewSubscriptionForm, usePreviewSubscription } from './PreviewSubscription.tsx';
import { PlanPrice, useCategoryLabel } from './Pricing.tsx';
import './storefront.css';

// long enough that a word typed at normal speed is one request, short enough to feel immediate
const SEARCH_DELAY_MS = 250;

function storefrontUrl(q: string, category: string): string {
  const params = new URLSearchParams();
  if (q.trim()) params.set('q', q.trim());
  if (category) params.set('category', category);
  const query = params.toString();
  return query ? `/?${query}` : '/';
}

export function StorefrontPage() {
  const { t } = useTranslation('storefront');
  const categoryLabel = useCategoryLabel();
  const { search } = useLocation();
  const urlQ = search.get('q') ?? '';
  const urlCategory = search.get('category') ?? '';
  const [q, setQ] = useState(urlQ);
  const [category, setCategory] = useState(urlCategory);
  const [subscription, setSubscription] = usePreviewSubscription();

  // the address this page last put in the URL itself, to tell it from a navigation from outside
  const written = useRef(storefrontUrl(urlQ, urlCategory));
  // what the customer typed reaches the URL (and so the request) once they pause
  useEffect(() => {
    const timer = setTimeout(() => {
      written.current = storefrontUrl(q, category);
      navigate(written.current, { replace: true });
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [q, category]);
  // the URL changed from outside (the Storefront link, back/forward, "clear"): the fields follow
  // it. Its own writes are left alone: the customer may have typed on since.
  useEffect(() => {
    const url = storefrontUrl(urlQ, urlCategory);
    if (url === written.current) return;
    written.current = url;
    setQ(urlQ);
    setCategory(urlCategory);
  }, [urlQ, urlCategory]);

  const offers = useApi(
    (signal) =>
      api.get<{ offers: CatalogOfferSummary[] }>(`/catalog/offers${storefrontUrl(urlQ, urlCategory).slice(1)}`, {
        headers: catalogHeaders(subscription),
        signal,
        auth: false,
      }),
    [urlQ, urlCategory, subscription],
  );
  const facts = useApi((signal) => api.get<MarketplaceFacts>('/marketplace', { signal, auth: false }), []);

  // until the marketplace names its categories, offer those seen in the results so far
  const seen = useRef(new Set<string>());
  for (const offer of offers.data?.offers ?? []) for (const c of offer.categories) seen.current.add(c);
  const categories = [...(facts.data?.categories ?? [...seen.current].sort())];
  if (urlCategory && !categories.includes(urlCategory)) categories.push(urlCategory);

  const list = offers.data?.offers;
  const filtered = Boolean(urlQ || urlCategory);

  return (
    <div className="storefront">
      <h1>{t('title')}</h1>
      <p className="muted">{t('intro')}</p>

      <div className="storefront-layout">
        <aside className="storefront-filters" aria-label={t('filtersLabel')}>
          <form className="storefront-search" role="search" onSubmit={(event) => event.preventDefault()}>
            <div className="field">
              <label htmlFor="storefront-q">{t('search.label')}</label>
              <input id="storefront-q" type="search" value={q} onChange={(event) => setQ(event.target.value)} placeholder={t('search.placeholder')} autoComplete="off" />
            </div>
            <div className="field">
              <label htmlFor="storefront-category">{t('search.category')}</label>
              <select id="storefront-category" value={category} onChange={(event) => setCategory(event.target.value)}>
                <option value="">{t('search.allCategories')}</option>
                {categories.map((c) => (
                  <option key={c} value={c}>
                    {categoryLabel(c)}
                  </option>
                ))}
              </select>
            </div>
          </form>
          <PreviewSubscriptionForm value={subscription} onChange={setSubscription} />
        </aside>

        <div className="storefront-results">
          <p className="result-count" role="status" aria-live="polite">
            {list ? t('results', { count: list.length }) : ''}
          </p>
          {offers.error ? <ErrorMessage error={offers.error} onRetry={offers.reload} /> : null}
          {!list && !offers.error && <Loading />}
          {list && list.length === 0 && (
            <div className="notice empty-state">
              <p>
                <strong>{filtered ? t('empty.filtered') : t('empty.none')}</strong>
              </p>
              {filtered && (
                <button type="button" onClick={() => navigate('/', { replace: true })}>
                  {t('empty.clear')}
                </button>
              )}
            </div>
          )}
          {list && list.length > 0 && (
            <ul className="cards offer-cards" aria-busy={offers.loading || undefined}>
              {list.map((offer) => (
                <li key={offer.id} className={`card offer-card${offer.preview ? ' offer-card-preview' : ''}`}>
                  <div className="offer-card-head">
                    <h2>
                      <Link to={offerPagePath(offer.id)}>{offer.title}</Link>
                    </h2>
                    {offer.preview && <span className="badge badge-preview">{t('previewBadge')}</span>}
                  </div>
                  <p className="muted offer-publisher">{t('by', { publisher: offer.publisher })}</p>
                  <p className="offer-summary">{offer.summary}</p>
                  <ul className="tags" aria-label={t('categoriesLabel')}>
                    {offer.categories.map((c) => (
                      <li key={c}>{categoryLabel(c)}</li>
                    ))}
                  </ul>
                  <dl className="plan-prices">
                    {offer.plans.map((plan) => (
                      <div key={plan.id}>
                        <dt>{plan.title}</dt>
                        <dd>
                          <PlanPrice pricing={plan.pricing} />
                        </dd>
                      </div>
                    ))}
                  </dl>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </div>
  );
}
