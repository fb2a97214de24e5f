/**
 * The other languages of a ticket the system opened (a stuck step): its `title` and `body` stay
 * English, as before, and `translations` holds `{de: {title, body}}`, which the API swaps in for
 * `Accept-Language: de`. Tickets people write are never translated, so theirs stays null.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE tickets ADD COLUMN translations jsonb`.execute(db);
}
