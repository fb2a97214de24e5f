/**
 * Boot validation (issue 12): the serial console of the VM a certification booted, kept beside
 * its report (the report holds the boot checks and their evidence lines; the whole log is
 * served on its own, it can be megabytes).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE certification_reports ADD COLUMN console_log text`.execute(db);
}
