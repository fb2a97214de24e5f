/**
 * The language of the request that started an operation (its `Accept-Language`): the e-mails
 * about that publication are written in it. Operations from before default to English.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE operations ADD COLUMN locale text NOT NULL DEFAULT 'en'`.execute(db);
}
