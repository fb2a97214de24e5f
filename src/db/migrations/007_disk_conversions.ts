/**
 * The disk conversions provisioning made (issue 10): one row per certified file and delivery
 * format, naming the converted object in the primary store. qemu-img's VHD, VMDK and VHDX
 * outputs carry timestamps and UUIDs, so converting the same file again gives other bytes; a
 * republication of unchanged bytes looks the conversion up here instead and copies nothing.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE disk_conversions (
      source_sha256 text NOT NULL,
      format text NOT NULL,
      sha256 text NOT NULL,
      size bigint NOT NULL,
      virtual_sha256 text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (source_sha256, format)
    )
  `.execute(db);
}
