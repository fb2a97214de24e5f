/**
 * SBOMs (issue 13): the CycloneDX document of the packages certification found on the OS disk,
 * kept beside its report like the console log (migration 009): the report holds only its
 * summary (components, SHA-256), the report list reads reports often, and the document is
 * served on its own.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE certification_reports ADD COLUMN sbom text`.execute(db);
}
