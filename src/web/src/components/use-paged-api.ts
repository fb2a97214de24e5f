/**
 * A paged list from the API (docs/contracts.md §5: `{ <key>: [...], nextCursor }`): the first
 * page at once, the next ones when the page asks with `more()` (a "Load more" control), appended.
 * Everything else is `useApi`'s: reload, the error, loading again on a language change.
 */
import { type DependencyList, useCallback, useState } from 'react';
import { api } from '../api/client.ts';
import { type Loaded, useApi } from './use-api.ts';

export interface PagedLoaded<K extends string, T> extends Loaded<Record<K, T[]>> {
  /** Whether the server has more after the items shown. */
  hasMore: boolean;
  /** Loads the next page and appends it. */
  more(): void;
  /** True while a next page loads. */
  loadingMore: boolean;
}

function withCursor(path: string, cursor: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`;
}

export function usePagedApi<K extends string, T>(path: string, key: K, deps: DependencyList): PagedLoaded<K, T> {
  const [extra, setExtra] = useState<{ items: T[]; cursor: string | null; base: unknown } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(undefined);
  const first = useApi(async (signal) => {
    const page = await api.get<Record<K, T[]> & { nextCursor?: string | null }>(path, { signal });
    setExtra(null);
    setMoreError(undefined);
    return page;
  }, deps);
  const firstPage = first.data as (Record<K, T[]> & { nextCursor?: string | null }) | undefined;
  const current = extra && extra.base === firstPage ? extra : null;
  const cursor = current ? current.cursor : (firstPage?.nextCursor ?? null);

  const more = useCallback(() => {
    if (!cursor || loadingMore) return;
    setLoadingMore(true);
    api
      .get<Record<K, T[]> & { nextCursor?: string | null }>(withCursor(path, cursor))
      .then((page) => setExtra({ items: [...(current?.items ?? []), ...(page[key] ?? [])], cursor: page.nextCursor ?? null, base: firstPage }))
      .catch((error: unknown) => setMoreError(error))
      .finally(() => setLoadingMore(false));
  }, [cursor, loadingMore, path, key, current, firstPage]);

  const data = firstPage ? ({ ...firstPage, [key]: [...(firstPage[key] ?? []), ...(current?.items ?? [])] } as Record<K, T[]>) : undefined;
  return { ...first, data, error: first.error ?? moreError, hasMore: cursor !== null, more, loadingMore };
}
