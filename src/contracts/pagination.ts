/**
 * Cursor pagination of every list the API answers (docs/contracts.md §5): `?limit=&cursor=` in,
 * `nextCursor` out (null on the last page). A cursor is opaque to clients: they pass back the one
 * they were given, unchanged. Page sizes are bounded so no request can ask for unbounded work.
 */
import { z } from 'zod';

/** The page size when a request gives no `limit`. */
export const DEFAULT_PAGE_SIZE = 100;
/** The largest `limit` a request may ask for. */
export const MAX_PAGE_SIZE = 500;

export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: z.string().min(1).max(512).optional(),
});
export type PageQuery = z.infer<typeof pageQuerySchema>;

/** The cursor of the next page, or null when this page is the last. */
export const nextCursorSchema = z.string().nullable();
