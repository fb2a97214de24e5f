/**
 * The offer editor page: loads the draft (or starts a new offer) and the marketplace's regions
 * and categories, then hands both to the editor form. offerId undefined means a new offer.
 */
import { useTranslation } from 'react-i18next';
import { ApiError, api, offerPath, request } from '../../api/client.ts';
import type { MarketplaceFacts, OfferSlot } from '../../../../contracts/index.ts';
import { ErrorMessage, Loading } from '../../components/ErrorMessage.tsx';
import { useApi } from '../../components/use-api.ts';
import { Link } from '../../router.tsx';
import type { Choice } from './editor/controls.tsx';
import { OfferEditor } from './editor/OfferEditor.tsx';
import './editor/editor.css';

export interface LoadedDraft {
  slot: OfferSlot;
  /** The draft's etag as the server sent it (header, else body), for If-Match. */
  etag: string;
}

export function OfferEditorPage({ publisherId, offerId }: { publisherId: string; offerId?: string }) {
  const { t } = useTranslation('editor');
  const draft = useApi<LoadedDraft | null>(
    async (signal) => {
      if (offerId === undefined) return null;
      const answer = await request<OfferSlot>('GET', `${offerPath(publisherId, offerId)}?slot=draft`, { signal });
      return { slot: answer.data, etag: answer.headers.get('etag') ?? answer.data.etag };
    },
    [publisherId, offerId],
  );
  // the choices validation accepts; without them (older server, outage) lists are typed instead
  const market = useApi(
    (signal) =>
      api.get<MarketplaceFacts>('/marketplace', { signal }).catch((error: unknown) => {
        if (error instanceof ApiError && error.status !== 0) return null;
        throw error;
      }),
    [],
  );

  if (draft.error) {
    const missing = draft.error instanceof ApiError && draft.error.status === 404;
    return (
      <section>
        <h1>{t('titleEdit', { title: offerId })}</h1>
        {missing ? <p className="notice notice-error">{t('notFound', { id: offerId })}</p> : <ErrorMessage error={draft.error} onRetry={draft.reload} />}
        <p>
          <Link to="/portal">{t('backToOffers')}</Link>
        </p>
      </section>
    );
  }
  if ((draft.loading && !draft.data) || (market.loading && market.data === undefined && !market.error)) return <Loading />;

  const facts = market.data ?? null;
  const regions: Choice[] | null = facts ? facts.regions.map((r) => ({ value: r.id, label: r.name && r.name !== r.id ? `${r.name} (${r.id})` : r.id })) : null;
  const categories: Choice[] | null = facts ? facts.categories.map((c) => ({ value: c, label: c })) : null;

  return (
    <OfferEditor
      // a reloaded draft (after 412) starts a fresh form
      key={draft.data ? `${draft.data.etag}` : 'new'}
      publisherId={publisherId}
      offerId={offerId}
      loaded={draft.data ?? null}
      onReload={draft.reload}
      regions={regions}
      categories={categories}
      marketError={market.error}
    />
  );
}
