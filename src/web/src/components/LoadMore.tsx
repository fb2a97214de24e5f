/** The "Load more" control under a paged list (see use-paged-api.ts); nothing when all is shown. */
import { useTranslation } from 'react-i18next';

export function LoadMore({ list }: { list: { hasMore: boolean; loadingMore: boolean; more(): void } }) {
  const { t } = useTranslation();
  if (!list.hasMore) return null;
  return (
    <p className="load-more">
      <button type="button" onClick={list.more} disabled={list.loadingMore} aria-busy={list.loadingMore}>
        {list.loadingMore ? t('actions.loading') : t('actions.loadMore')}
      </button>
    </p>
  );
}
