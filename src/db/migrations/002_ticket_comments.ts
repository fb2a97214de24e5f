/** The conversation of a support ticket: comments by the publisher, the operator or the system. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE ticket_comments (
      id text PRIMARY KEY,
      ticket_id text NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
      author text NOT NULL,
      body text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX ticket_comments_ticket ON ticket_comments (ticket_id, created_at);
    CREATE INDEX tickets_created ON tickets (created_at DESC);
  `.execute(db);
}
